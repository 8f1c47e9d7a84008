//! The fetcher against small servers on loopback: robots.txt, rates, Retry-After, retries,
//! conditional requests, body limits, redirects and the address guard.

#[path = "net_fetch/body.rs"]
mod body;
#[path = "net_fetch/guard.rs"]
mod guard;
#[path = "net_fetch/outcomes.rs"]
mod outcomes;
#[path = "net_fetch/politeness.rs"]
mod politeness;
#[path = "net_fetch/robots.rs"]
mod robots;
#[path = "net_fetch/support.rs"]
mod support;
