//! robots.txt per RFC 9309: parsing into groups and matching a URL's path against them.
//!
//! - A group is one or more `User-agent` lines followed by rules; the groups naming the
//!   crawler's product token (case-insensitively) apply, merged, else the `*` groups, else
//!   nothing is disallowed.
//! - Of the rules matching a path the longest pattern wins; `Allow` wins a tie. Patterns take
//!   `*` (any octets) and a final `$` (end of path); both sides are compared after the same
//!   percent-encoding normalisation (RFC 9309 section 2.2.2).
//! - `Crawl-delay` (not in the RFC, widely used) is read per group; `Sitemap` lines are read
//!   wherever they stand.
//!
//! This module is pure: fetching robots.txt, its status-code semantics (4xx allows all, 5xx
//! disallows all) and its cache live in the fetcher.

#[cfg(test)]
mod tests;

use std::time::Duration;

use url::Url;

/// The parsed rules of one robots.txt.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Robots {
    groups: Vec<Group>,
    sitemaps: Vec<String>,
    disallow_all: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Group {
    /// Product tokens in lower case, or `*`.
    agents: Vec<String>,
    rules: Vec<Rule>,
    crawl_delay: Option<Duration>,
    /// Whether a rule line has been read, after which a `User-agent` line opens a new group.
    has_rules: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    allow: bool,
    /// Normalised with [`normalize_octets`]; may hold `*` and a final `$`.
    pattern: String,
}

impl Robots {
    /// Rules that allow every path: robots.txt answered 4xx or was empty.
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    /// Rules that disallow every path: robots.txt was unreachable (5xx, network failure).
    pub fn disallow_all() -> Robots {
        Robots {
            disallow_all: true,
            ..Robots::default()
        }
    }

    /// Parses robots.txt leniently: unknown lines and rules outside a group are skipped, as
    /// the RFC asks.
    pub fn parse(text: &str) -> Robots {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut robots = Robots::default();
        for line in text.split(['\n', '\r']) {
            let line = match line.find('#') {
                Some(hash) => &line[..hash],
                None => line,
            };
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" | "useragent" | "user agent" => robots.add_agent(value),
                "allow" => robots.add_rule(true, value),
                "disallow" | "dissallow" | "disalow" => robots.add_rule(false, value),
                "crawl-delay" | "crawldelay" => robots.set_crawl_delay(value),
                "sitemap" | "site-map" if !value.is_empty() => {
                    robots.sitemaps.push(value.to_owned());
                }
                _ => {}
            }
        }
        robots
    }

    fn add_agent(&mut self, value: &str) {
        let token = if value.starts_with('*') {
            "*".to_owned()
        } else {
            product_token(value)
        };
        let opens_group = self.groups.last().is_none_or(|group| group.has_rules);
        if opens_group {
            self.groups.push(Group::default());
        }
        if token.is_empty() {
            return;
        }
        if let Some(group) = self.groups.last_mut() {
            group.agents.push(token);
        }
    }

    fn add_rule(&mut self, allow: bool, value: &str) {
        let Some(group) = self.groups.last_mut() else {
            return;
        };
        group.has_rules = true;
        // An empty pattern matches nothing (`Disallow:` allows all).
        if value.is_empty() {
            return;
        }
        // A pattern should start with `/`; one that does not most likely means the path.
        let pattern = if value.starts_with('/') || value.starts_with('*') {
            normalize_octets(value)
        } else {
            normalize_octets(&format!("/{value}"))
        };
        group.rules.push(Rule { allow, pattern });
    }

    fn set_crawl_delay(&mut self, value: &str) {
        let Some(group) = self.groups.last_mut() else {
            return;
        };
        group.has_rules = true;
        if let Ok(seconds) = value.parse::<f64>()
            && seconds.is_finite()
            && seconds >= 0.0
            && group.crawl_delay.is_none()
        {
            group.crawl_delay = Some(Duration::from_secs_f64(seconds.min(86_400.0)));
        }
    }

    /// The groups that apply to `user_agent` (a full User-Agent or its product token).
    fn groups_for(&self, user_agent: &str) -> impl Iterator<Item = &Group> {
        let token = product_token(user_agent);
        let named = !token.is_empty()
            && self
                .groups
                .iter()
                .any(|group| group.agents.contains(&token));
        let wanted = if named { token } else { "*".to_owned() };
        self.groups
            .iter()
            .filter(move |group| group.agents.contains(&wanted))
    }

    /// Whether `user_agent` may fetch `path` (the URL's path and query, as sent).
    pub fn is_allowed(&self, user_agent: &str, path: &str) -> bool {
        // RFC 9309 2.2.2: /robots.txt is implicitly allowed.
        if path == "/robots.txt" {
            return true;
        }
        if self.disallow_all {
            return false;
        }
        let path = normalize_octets(path);
        // (pattern length, allow) of the best match so far.
        let mut best: Option<(usize, bool)> = None;
        for group in self.groups_for(user_agent) {
            for rule in &group.rules {
                if !pattern_matches(&rule.pattern, &path) {
                    continue;
                }
                let candidate = (rule.pattern.len(), rule.allow);
                best = match best {
                    Some(current) if current >= candidate => Some(current),
                    _ => Some(candidate),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }

    /// Whether `user_agent` may fetch `url`; robots.txt applies to its own origin only, which
    /// the caller ensures.
    pub fn allows_url(&self, user_agent: &str, url: &Url) -> bool {
        let path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        self.is_allowed(user_agent, &path)
    }

    /// The `Crawl-delay` of the groups that apply to `user_agent`.
    pub fn crawl_delay(&self, user_agent: &str) -> Option<Duration> {
        self.groups_for(user_agent)
            .find_map(|group| group.crawl_delay)
    }

    /// The `Sitemap` URLs as written (possibly relative; resolve them against robots.txt).
    pub fn sitemaps(&self) -> &[String] {
        &self.sitemaps
    }
}

/// The product token of a User-Agent (`vindwerk/0.1 (+https://...)` gives `vindwerk`), in
/// lower case: the part robots.txt groups name.
pub fn product_token(user_agent: &str) -> String {
    user_agent
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// One spelling for paths and patterns (RFC 9309 2.2.2): escapes of unreserved characters
/// decoded, other escapes in upper-case hex, non-ASCII, controls and spaces escaped.
fn normalize_octets(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|pair| {
                let pair = std::str::from_utf8(pair).ok()?;
                u8::from_str_radix(pair, 16).ok()
            });
            match hex {
                Some(value) if is_unreserved(value) => out.push(char::from(value)),
                Some(value) => push_escape(&mut out, value),
                None => {
                    push_escape(&mut out, b'%');
                    i += 1;
                    continue;
                }
            }
            i += 3;
            continue;
        }
        if byte >= 0x80 || byte <= b' ' || byte == 0x7f {
            push_escape(&mut out, byte);
        } else {
            out.push(char::from(byte));
        }
        i += 1;
    }
    out
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

fn push_escape(out: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(byte >> 4)]));
    out.push(char::from(HEX[usize::from(byte & 0x0f)]));
}

/// Whether `pattern` matches the start of `path` (the whole of it when the pattern ends in
/// `$`); `*` matches any run of octets. Backtracks over the last `*` only, which is linear in
/// practice and never exponential.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(rest) => (rest.as_bytes(), true),
        None => (pattern.as_bytes(), false),
    };
    let path = path.as_bytes();
    let (mut p, mut s) = (0, 0);
    // After the last `*`: where the pattern resumes and where in the path it was tried.
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p == pattern.len() {
            if !anchored || s == path.len() {
                return true;
            }
        } else if pattern[p] == b'*' {
            p += 1;
            star = Some((p, s));
            continue;
        } else if s < path.len() && pattern[p] == path[s] {
            p += 1;
            s += 1;
            continue;
        }
        match star {
            Some((resume, tried)) if tried < path.len() => {
                star = Some((resume, tried + 1));
                p = resume;
                s = tried + 1;
            }
            _ => return false,
        }
    }
}
