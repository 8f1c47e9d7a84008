//! Mail: the outbox sent by SMTP when `[mail]` is configured.
//!
//! The outbox stays the queue: a message is written there in the same transaction as what it
//! is about (a password reset), and a delivery pass sends what waits, marking each delivered
//! (its body emptied) once the relay took it. A relay that cannot be reached leaves the message
//! waiting and it is tried again later, ever less often; one that refuses it for good (an
//! unknown mailbox) is not asked again. What was not sent stays readable with
//! `vindwerk outbox`, with its last error. Pages never wait for the relay: they wake the
//! delivery task ([`Portal::outbox_ready`]) and answer.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio_util::sync::CancellationToken;
use vindwerk_store::{OutboxMessage, Store, StoreError};

use super::Portal;
use super::config::{MailConfig, Security};

/// Attempts after which a message is left to the operator.
pub const MAX_ATTEMPTS: u32 = 6;
/// How long the delivery task sleeps when nothing wakes it: retries come due within it.
const PASS_EVERY: Duration = Duration::from_secs(60);
/// How long one conversation with the relay may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the mailer cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("mail.host {host}: {source}")]
    Relay {
        host: String,
        source: lettre::transport::smtp::Error,
    },
    #[error("mail.from: {0}")]
    From(String),
    #[error("mail.password_env: the environment has no variable {0}")]
    Password(String),
}

/// Why a delivery pass stopped.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the outbox task stopped: {0}")]
    Task(String),
}

/// An SMTP relay and the sender the portal's messages come from.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    relay: String,
}

/// What one delivery pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    /// Failed this time, to be tried again.
    pub deferred: usize,
    /// Refused for good, or out of attempts: left to the operator.
    pub given_up: usize,
    /// Not yet due for another attempt.
    pub waiting: usize,
}

impl Mailer {
    /// A mailer for `config`, whose password (if any) `password` reads from the environment
    /// variable it names.
    pub fn new(
        config: &MailConfig,
        password: impl Fn(&str) -> Option<String>,
    ) -> Result<Mailer, MailerError> {
        let relay_error = |source| MailerError::Relay {
            host: config.host.clone(),
            source,
        };
        let builder = match config.security {
            Security::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                    .map_err(relay_error)?
            }
            Security::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host).map_err(relay_error)?
            }
            Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
        };
        let mut builder = builder.port(config.port()).timeout(Some(SMTP_TIMEOUT));
        if let Some(username) = &config.username {
            let secret = match &config.password_env {
                Some(variable) => {
                    password(variable).ok_or_else(|| MailerError::Password(variable.clone()))?
                }
                None => String::new(),
            };
            builder = builder.credentials(Credentials::new(username.clone(), secret));
        }
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|error| MailerError::From(error.to_string()))?;
        Ok(Mailer {
            transport: builder.build(),
            from,
            relay: format!("{}:{}", config.host, config.port()),
        })
    }

    /// Where mail goes, for the log.
    pub fn relay(&self) -> &str {
        &self.relay
    }

    /// Sends `message`.
    async fn send(&self, message: &OutboxMessage) -> Result<(), SendError> {
        let to = message
            .recipient
            .parse::<Mailbox>()
            .map_err(|error| SendError::Permanent(format!("recipient: {error}")))?;
        let mail = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|error| SendError::Permanent(format!("message: {error}")))?;
        self.transport.send(mail).await.map(drop).map_err(|error| {
            if error.is_permanent() {
                SendError::Permanent(error.to_string())
            } else {
                SendError::Transient(error.to_string())
            }
        })
    }
}

enum SendError {
    Permanent(String),
    Transient(String),
}

/// When a message that failed `attempts` times may be tried again: 1, 4, 16, 64 and 256
/// minutes after its last attempt.
fn due_at(message: &OutboxMessage) -> Option<DateTime<Utc>> {
    if message.attempts >= MAX_ATTEMPTS {
        return None;
    }
    let Some(last) = message.last_attempt_at else {
        return Some(message.created_at);
    };
    let minutes = 4_i64.pow(message.attempts.saturating_sub(1).min(8));
    Some(last + chrono::Duration::minutes(minutes))
}

/// Sends every message of the outbox that is due at `now`.
pub async fn deliver(
    portal: &Arc<Portal>,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> Result<Delivery, DeliveryError> {
    let waiting = on_store(portal, |store| store.undelivered()).await?;
    let mut delivery = Delivery::default();
    for message in waiting {
        match due_at(&message) {
            Some(due) if due <= now => {}
            _ => {
                delivery.waiting += 1;
                continue;
            }
        }
        let id = message.id;
        match mailer.send(&message).await {
            Ok(()) => {
                tracing::info!(message = id, relay = mailer.relay(), "mail sent");
                delivery.sent += 1;
                on_store(portal, move |store| {
                    store.write(|batch| batch.mark_delivered(id, Utc::now()))
                })
                .await?;
            }
            Err(SendError::Permanent(error)) => {
                tracing::warn!(message = id, %error, "the relay refused a message for good");
                delivery.given_up += 1;
                on_store(portal, move |store| {
                    store.write(|batch| {
                        batch.record_delivery_failure(id, &error, Utc::now(), MAX_ATTEMPTS)
                    })
                })
                .await?;
            }
            Err(SendError::Transient(error)) => {
                let attempts = message.attempts + 1;
                tracing::warn!(message = id, attempts, %error, "mail not sent, tried again later");
                if attempts >= MAX_ATTEMPTS {
                    delivery.given_up += 1;
                } else {
                    delivery.deferred += 1;
                }
                on_store(portal, move |store| {
                    store.write(|batch| batch.record_delivery_failure(id, &error, Utc::now(), 0))
                })
                .await?;
            }
        }
    }
    Ok(delivery)
}

/// Delivers the outbox until `shutdown`: at once, whenever a page queues a message, and every
/// minute for the retries that came due.
pub fn spawn_delivery(
    portal: Arc<Portal>,
    mailer: Mailer,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        tracing::info!(relay = mailer.relay(), "sending the outbox by mail");
        loop {
            match deliver(&portal, &mailer, Utc::now()).await {
                Ok(delivery) if delivery.sent + delivery.deferred + delivery.given_up > 0 => {
                    tracing::info!(?delivery, "outbox delivery pass");
                }
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "the outbox cannot be read"),
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = portal.outbox_ready.notified() => {}
                () = tokio::time::sleep(PASS_EVERY) => {}
            }
        }
    })
}

async fn on_store<T: Send + 'static>(
    portal: &Arc<Portal>,
    work: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, DeliveryError> {
    let portal = Arc::clone(portal);
    Ok(
        tokio::task::spawn_blocking(move || work(&mut portal.store()))
            .await
            .map_err(|error| DeliveryError::Task(error.to_string()))??,
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_failing_message_is_tried_ever_less_often_then_left_to_the_operator() {
        let created = Utc
            .with_ymd_and_hms(2026, 12, 3, 9, 0, 0)
            .single()
            .expect("time");
        let message = |attempts, last_attempt_at| OutboxMessage {
            id: 1,
            recipient: "sanne@example.nl".into(),
            subject: "s".into(),
            body: "b".into(),
            created_at: created,
            attempts,
            last_attempt_at,
            last_error: None,
        };
        assert_eq!(due_at(&message(0, None)), Some(created));
        let last = created + chrono::Duration::minutes(2);
        let after = |minutes| Some(last + chrono::Duration::minutes(minutes));
        assert_eq!(due_at(&message(1, Some(last))), after(1));
        assert_eq!(due_at(&message(2, Some(last))), after(4));
        assert_eq!(due_at(&message(5, Some(last))), after(256));
        assert_eq!(due_at(&message(MAX_ATTEMPTS, Some(last))), None);
    }
}
