//! `portal.toml`: the portal's settings, all optional. Without it the portal works as it is:
//! links in messages point at the address the request came to, and messages wait in the
//! store's outbox for `vindwerk outbox`.
//!
//! ```toml
//! # The public address of the site: links in messages point here, whatever `Host` a
//! # request carried. Needed when mail is sent.
//! site_url = "https://vindwerk.example.nl"
//!
//! [mail]
//! host = "smtp.example.nl"
//! # starttls (the default, port 587), tls (port 465), or none (port 25; only for a relay on
//! # the same machine or network).
//! security = "starttls"
//! port = 587
//! from = "vindwerk <noreply@example.nl>"
//! username = "vindwerk"
//! # The password is not kept in the file: the variable of the environment that holds it.
//! password_env = "VINDWERK_SMTP_PASSWORD"
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

/// The settings of `portal.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalConfig {
    /// The public address of the site, without a path.
    pub site_url: Option<Url>,
    /// Mail by SMTP; without it messages wait in the outbox.
    pub mail: Option<MailConfig>,
}

/// `[mail]`: the SMTP relay that sends the portal's messages.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub host: String,
    /// The relay's port; by default the one of `security`.
    pub port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    /// The sender, `name <address>` or an address.
    pub from: String,
    pub username: Option<String>,
    /// The environment variable that holds the password of `username`.
    pub password_env: Option<String>,
}

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which must succeed.
    #[default]
    Starttls,
    /// TLS from the first byte.
    Tls,
    /// No encryption: only for a relay on the same machine or a trusted network.
    None,
}

impl Security {
    pub fn default_port(self) -> u16 {
        match self {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::None => 25,
        }
    }
}

impl MailConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or_else(|| self.security.default_port())
    }
}

/// Why `portal.toml` cannot be used; each names the file and, where it can, the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("{}: {setting}: {reason}", path.display())]
    Invalid {
        path: PathBuf,
        setting: &'static str,
        reason: String,
    },
}

impl PortalConfig {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<PortalConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        PortalConfig::parse(&text, path)
    }

    /// Parses and checks `text`, read from `path` (named in errors).
    pub fn parse(text: &str, path: &Path) -> Result<PortalConfig, ConfigError> {
        let config: PortalConfig = toml::from_str(text).map_err(|error| ConfigError::Parse {
            path: path.to_owned(),
            message: error.to_string().trim_end().to_owned(),
        })?;
        let invalid = |setting, reason: &str| ConfigError::Invalid {
            path: path.to_owned(),
            setting,
            reason: reason.to_owned(),
        };
        if let Some(site) = &config.site_url {
            if !matches!(site.scheme(), "http" | "https") || site.host_str().is_none() {
                return Err(invalid(
                    "site_url",
                    "must be an http(s) address with a host",
                ));
            }
            if site.path() != "/" || site.query().is_some() || site.fragment().is_some() {
                return Err(invalid(
                    "site_url",
                    "must be the site's root, without a path, query or fragment",
                ));
            }
        }
        if let Some(mail) = &config.mail {
            if config.site_url.is_none() {
                return Err(invalid(
                    "site_url",
                    "is needed with [mail]: links in mail must not follow a request's Host",
                ));
            }
            if mail.host.trim().is_empty() {
                return Err(invalid("mail.host", "is empty"));
            }
            if mail.from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(invalid(
                    "mail.from",
                    "is not an address (`noreply@example.nl` or `vindwerk <noreply@example.nl>`)",
                ));
            }
            if mail.password_env.is_some() && mail.username.is_none() {
                return Err(invalid("mail.password_env", "needs mail.username"));
            }
        }
        Ok(config)
    }

    /// The public address without its trailing slash, for links.
    pub fn site_root(&self) -> Option<String> {
        self.site_url
            .as_ref()
            .map(|url| url.as_str().trim_end_matches('/').to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PortalConfig, String> {
        PortalConfig::parse(text, Path::new("portal.toml")).map_err(|error| error.to_string())
    }

    #[test]
    fn an_empty_file_changes_nothing_and_a_full_one_is_read() {
        assert_eq!(parse(""), Ok(PortalConfig::default()));
        let config = parse(
            "site_url = \"https://vindwerk.example.nl\"\n[mail]\nhost = \"smtp.example.nl\"\n\
             from = \"vindwerk <noreply@example.nl>\"\nusername = \"vw\"\n\
             password_env = \"SMTP_PASSWORD\"\n",
        )
        .expect("valid");
        let mail = config.mail.as_ref().expect("mail");
        assert_eq!((mail.security, mail.port()), (Security::Starttls, 587));
        assert_eq!(
            config.site_root().as_deref(),
            Some("https://vindwerk.example.nl")
        );
        let tls = parse(
            "site_url = \"https://a.nl\"\n[mail]\nhost = \"h\"\nfrom = \"a@b.nl\"\n\
             security = \"tls\"\n",
        )
        .expect("valid");
        assert_eq!(tls.mail.map(|mail| mail.port()), Some(465));
    }

    #[test]
    fn every_mistake_names_the_file_and_the_setting() {
        let cases = [
            (
                "site_url = \"ftp://a.nl\"",
                "portal.toml: site_url: must be an http(s)",
            ),
            (
                "site_url = \"https://a.nl/zoek\"",
                "portal.toml: site_url: must be the site's root",
            ),
            (
                "[mail]\nhost = \"h\"\nfrom = \"a@b.nl\"",
                "portal.toml: site_url: is needed with [mail]",
            ),
            (
                "site_url = \"https://a.nl\"\n[mail]\nhost = \"h\"\nfrom = \"niet een adres\"",
                "portal.toml: mail.from: is not an address",
            ),
            (
                "site_url = \"https://a.nl\"\n[mail]\nhost = \" \"\nfrom = \"a@b.nl\"",
                "portal.toml: mail.host: is empty",
            ),
            (
                "site_url = \"https://a.nl\"\n[mail]\nhost = \"h\"\nfrom = \"a@b.nl\"\n\
                 password_env = \"P\"",
                "portal.toml: mail.password_env: needs mail.username",
            ),
            (
                "[mail]\nhost = \"h\"\nfrom = \"a@b.nl\"\nsecurity = \"ssl\"",
                "portal.toml: ",
            ),
            (
                "site_url = \"https://a.nl\"\nsmtp = 1",
                "unknown field `smtp`",
            ),
        ];
        for (text, expected) in cases {
            let error = parse(text).expect_err(text);
            assert!(error.contains(expected), "{text:?} gave {error}");
        }
    }
}
