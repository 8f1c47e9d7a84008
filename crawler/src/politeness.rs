//! The politeness gate's timing: how many requests are in flight over all hosts, and when the
//! next request to one host may leave.
//!
//! Per host (host and explicit port, so the servers of a fixture web on one address count
//! apart) a governor limiter spaces requests at the host's rate: the configured default, a
//! source's override, or the robots.txt `Crawl-delay` when that is stricter. A `Retry-After`
//! holds the whole host until the moment it names; a hold longer than the cap fails the
//! request instead of stalling the round. A global semaphore bounds requests in flight.
//!
//! Order matters for the guarantee that the server sees the spacing: a request first queues in
//! its host's lane (FIFO), waits out any hold, takes a global slot, and only then takes its
//! turn from the limiter and leaves at once. So a host never holds more than one waiting slot,
//! and no slot wait sits between the limiter and the wire to bunch requests up.
//!
//! This module does not know robots.txt rules or HTTP; the fetcher tells it rates, delays and
//! holds.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The longest interval a rate may ask for.
const SLOWEST_INTERVAL: Duration = Duration::from_secs(3600);

/// How the gate is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct PolitenessSettings {
    /// Requests per second per host; `None` is unlimited (benchmarks: no rate and no
    /// Crawl-delay; robots.txt rules and Retry-After still hold).
    pub rate_per_host: Option<f64>,
    /// Requests in flight over all hosts.
    pub concurrency: usize,
    /// The longest Retry-After waited for; a longer one fails the request.
    pub retry_after_cap: Duration,
    /// The longest Crawl-delay honoured, so that one robots.txt cannot stall a round for days.
    pub max_crawl_delay: Duration,
}

/// A host is held by Retry-After for longer than the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("host is held for another {remaining:?} by Retry-After")]
pub struct HostHeld {
    pub remaining: Duration,
}

/// Permission to send one request now; the global slot is freed when it is dropped.
#[derive(Debug)]
pub struct Admission {
    _slot: OwnedSemaphorePermit,
}

/// The politeness gate's timing for every host.
#[derive(Debug)]
pub struct Politeness {
    settings: PolitenessSettings,
    slots: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<HostGate>>>,
}

#[derive(Debug, Default)]
struct HostGate {
    /// Requests of one host wait their turn here, in arrival order.
    lane: tokio::sync::Mutex<()>,
    state: Mutex<HostState>,
}

#[derive(Debug, Default)]
struct HostState {
    /// The configured rate (default or a source's override), requests per second.
    rate: Option<f64>,
    crawl_delay: Option<Duration>,
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
    interval: Option<Duration>,
    held_until: Option<Instant>,
}

impl Politeness {
    pub fn new(settings: PolitenessSettings) -> Politeness {
        let concurrency = settings.concurrency.clamp(1, Semaphore::MAX_PERMITS);
        Politeness {
            slots: Arc::new(Semaphore::new(concurrency)),
            settings,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until a request to `host` may leave. `rate` overrides the default rate of this
    /// host (a source's `rate_per_host`) from now on.
    pub async fn admit(&self, host: &str, rate: Option<f64>) -> Result<Admission, HostHeld> {
        // An override that is not a rate (zero, negative, NaN) is ignored, never unlimited.
        let rate = rate.filter(|rate| rate.is_finite() && *rate > 0.0);
        let gate = self.gate(host, rate);
        let _turn = gate.lane.lock().await;
        loop {
            self.wait_for_hold(&gate).await?;
            let slot = Arc::clone(&self.slots)
                .acquire_owned()
                .await
                .expect("the slot semaphore is never closed");
            let limiter = lock(&gate.state).limiter.clone();
            if let Some(limiter) = limiter {
                limiter.until_ready().await;
            }
            // A Retry-After may have come in while this request waited for its turn.
            if hold_remaining(&gate).is_none() {
                return Ok(Admission { _slot: slot });
            }
        }
    }

    async fn wait_for_hold(&self, gate: &HostGate) -> Result<(), HostHeld> {
        while let Some(remaining) = hold_remaining(gate) {
            if remaining > self.settings.retry_after_cap {
                return Err(HostHeld { remaining });
            }
            tokio::time::sleep(remaining).await;
        }
        Ok(())
    }

    /// Holds every request to `host` for `delay` from now (a Retry-After); a shorter hold
    /// never shortens a longer one.
    pub fn hold(&self, host: &str, delay: Duration) {
        let gate = self.gate(host, None);
        let until = Instant::now() + delay;
        let mut state = lock(&gate.state);
        if state.held_until.is_none_or(|held| held < until) {
            tracing::debug!(host, ?delay, "host held by retry-after");
            state.held_until = Some(until);
        }
    }

    /// Records the robots.txt `Crawl-delay` that applies to us on `host`.
    pub fn set_crawl_delay(&self, host: &str, delay: Option<Duration>) {
        let delay = delay.map(|delay| {
            if delay > self.settings.max_crawl_delay {
                tracing::warn!(host, ?delay, cap = ?self.settings.max_crawl_delay, "crawl-delay capped");
            }
            delay.min(self.settings.max_crawl_delay)
        });
        let gate = self.gate(host, None);
        let mut state = lock(&gate.state);
        if state.crawl_delay != delay {
            state.crawl_delay = delay;
            self.reconfigure(host, &mut state, true);
        }
    }

    /// The interval between two requests to `host` now in force, if any.
    pub fn interval(&self, host: &str) -> Option<Duration> {
        let gate = self.gate(host, None);
        lock(&gate.state).interval
    }

    fn gate(&self, host: &str, rate: Option<f64>) -> Arc<HostGate> {
        let mut hosts = lock(&self.hosts);
        if let Some(gate) = hosts.get(host) {
            let gate = Arc::clone(gate);
            drop(hosts);
            if let Some(rate) = rate {
                let mut state = lock(&gate.state);
                if state.rate != Some(rate) {
                    state.rate = Some(rate);
                    self.reconfigure(host, &mut state, true);
                }
            }
            return gate;
        }
        let gate = Arc::new(HostGate::default());
        {
            let mut state = lock(&gate.state);
            state.rate = rate.or(self.settings.rate_per_host);
            self.reconfigure(host, &mut state, false);
        }
        hosts.insert(host.to_owned(), Arc::clone(&gate));
        gate
    }

    /// Rebuilds the host's limiter for its rate and Crawl-delay. A replaced limiter starts as
    /// if a request had just left (`in_use`), so a change never lets two requests bunch up.
    fn reconfigure(&self, host: &str, state: &mut HostState, in_use: bool) {
        let interval = self.effective_interval(state);
        if interval == state.interval {
            return;
        }
        tracing::debug!(host, ?interval, "host rate set");
        state.interval = interval;
        state.limiter = interval.and_then(|interval| {
            let quota = Quota::with_period(interval)?.allow_burst(NonZeroU32::MIN);
            let limiter = RateLimiter::direct(quota);
            if in_use {
                // The fresh limiter's one cell is free; spend it.
                let _ = limiter.check();
            }
            Some(Arc::new(limiter))
        });
    }

    fn effective_interval(&self, state: &HostState) -> Option<Duration> {
        // `None` in the settings switches every limit off, overrides included.
        self.settings.rate_per_host?;
        let from_rate = state
            .rate
            .filter(|rate| rate.is_finite() && *rate > 0.0)
            .map(|rate| {
                // A rate too small to express is at most one request an hour.
                Duration::try_from_secs_f64(1.0 / rate)
                    .unwrap_or(Duration::MAX)
                    .min(SLOWEST_INTERVAL)
            });
        let interval = match (from_rate, state.crawl_delay) {
            (Some(rate), Some(delay)) => rate.max(delay),
            (rate, delay) => rate.or(delay)?,
        };
        (!interval.is_zero()).then_some(interval)
    }

    /// Hosts seen so far.
    pub fn n_hosts(&self) -> usize {
        lock(&self.hosts).len()
    }
}

fn hold_remaining(gate: &HostGate) -> Option<Duration> {
    let held_until = lock(&gate.state).held_until?;
    let now = Instant::now();
    (held_until > now).then(|| held_until - now)
}

/// Locks a mutex whose data stays consistent even if a holder panicked (every critical
/// section here is a few assignments).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The delay a `Retry-After` value asks for: delta-seconds or an HTTP-date (RFC 9110
/// 10.2.3), relative to `now`. A date in the past asks for no delay; garbage for none.
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = parse_http_date(value)?;
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and the two obsolete forms RFC 9110 still
/// asks recipients to accept.
fn parse_http_date(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{NaiveDateTime, TimeZone, Utc};
    if let Ok(date) = chrono::DateTime::parse_from_rfc2822(value) {
        return Some(date.with_timezone(&Utc));
    }
    for format in ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"] {
        if let Ok(date) = NaiveDateTime::parse_from_str(value, format) {
            return Some(Utc.from_utc_datetime(&date));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn settings(rate: Option<f64>) -> PolitenessSettings {
        PolitenessSettings {
            rate_per_host: rate,
            concurrency: 4,
            retry_after_cap: Duration::from_secs(600),
            max_crawl_delay: Duration::from_secs(60),
        }
    }

    #[test]
    fn retry_after_in_seconds_and_dates() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 8, 49, 30).unwrap();
        let check = |value: &str, expected: Option<u64>| {
            assert_eq!(
                parse_retry_after(value, now),
                expected.map(Duration::from_secs),
                "{value}"
            );
        };
        check("2", Some(2));
        check(" 120 ", Some(120));
        check("Sun, 22 Nov 2026 08:49:37 GMT", Some(7));
        check("Sunday, 22-Nov-26 08:50:30 GMT", Some(60));
        check("Sun Nov 22 08:49:40 2026", Some(10));
        check("Sun, 22 Nov 2026 08:00:00 GMT", Some(0));
        check("-5", None);
        check("soon", None);
        check("", None);
    }

    #[test]
    fn interval_is_the_stricter_of_rate_and_crawl_delay() {
        let gate = Politeness::new(settings(Some(4.0)));
        assert_eq!(gate.interval("a.example"), Some(Duration::from_millis(250)));
        gate.set_crawl_delay("a.example", Some(Duration::from_secs(2)));
        assert_eq!(gate.interval("a.example"), Some(Duration::from_secs(2)));
        gate.set_crawl_delay("a.example", Some(Duration::from_millis(100)));
        assert_eq!(gate.interval("a.example"), Some(Duration::from_millis(250)));
        gate.set_crawl_delay("a.example", Some(Duration::from_secs(3600)));
        assert_eq!(gate.interval("a.example"), Some(Duration::from_secs(60)));
        let slow = Politeness::new(settings(Some(1e-310)));
        assert_eq!(slow.interval("a.example"), Some(SLOWEST_INTERVAL));
        assert_eq!(gate.interval("b.example"), Some(Duration::from_millis(250)));
        assert_eq!(gate.n_hosts(), 2);
    }

    #[tokio::test]
    async fn an_override_sets_the_host_rate() {
        let gate = Politeness::new(settings(Some(2.0)));
        drop(gate.admit("a.example", Some(10.0)).await.unwrap());
        assert_eq!(gate.interval("a.example"), Some(Duration::from_millis(100)));
        assert_eq!(gate.interval("b.example"), Some(Duration::from_millis(500)));
    }

    #[test]
    fn unlimited_switches_rates_and_crawl_delays_off() {
        let gate = Politeness::new(settings(None));
        gate.set_crawl_delay("a.example", Some(Duration::from_secs(5)));
        assert_eq!(gate.interval("a.example"), None);
    }

    #[tokio::test]
    async fn a_hold_beyond_the_cap_fails_at_once() {
        let gate = Politeness::new(settings(Some(100.0)));
        gate.hold("a.example", Duration::from_secs(3600));
        let held = gate.admit("a.example", None).await.unwrap_err();
        assert!(held.remaining > Duration::from_secs(3500), "{held}");
        // Other hosts are not held.
        assert!(gate.admit("b.example", None).await.is_ok());
        // A shorter hold does not shorten it.
        gate.hold("a.example", Duration::from_secs(1));
        assert!(gate.admit("a.example", None).await.is_err());
    }
}
