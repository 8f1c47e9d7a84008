//! `vindwerk outbox`: the messages for people that wait in the store (password reset links),
//! printed for the operator to pass on, since no mail server is assumed. Printing marks them
//! delivered and empties their text, so a link stays on disk only until it is handed over.
//! With `--send`, the messages that are due go by the SMTP relay of `portal.toml` instead.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use serde::Serialize;
use vindwerk_search_server::Portal;
use vindwerk_search_server::portal::mail;
use vindwerk_store::Store;

use super::EXIT_OK;
use crate::cli::OutboxArgs;

#[derive(Serialize)]
struct Printed<'a> {
    id: i64,
    to: &'a str,
    subject: &'a str,
    created_at: String,
    body: &'a str,
    attempts: u32,
    last_error: Option<&'a str>,
}

pub fn run(args: &OutboxArgs) -> anyhow::Result<ExitCode> {
    if args.send {
        return send(args);
    }
    let mut store = Store::open(&args.db.db)
        .with_context(|| format!("cannot open the store {}", args.db.db.display()))?;
    let messages = store.undelivered()?;
    let mut out = std::io::stdout().lock();
    if messages.is_empty() && !args.json {
        writeln!(out, "The outbox is empty.")?;
    }
    for message in &messages {
        if args.json {
            let printed = Printed {
                id: message.id,
                to: &message.recipient,
                subject: &message.subject,
                created_at: message.created_at.to_rfc3339(),
                body: &message.body,
                attempts: message.attempts,
                last_error: message.last_error.as_deref(),
            };
            writeln!(out, "{}", serde_json::to_string(&printed)?)?;
        } else {
            writeln!(out, "To: {}", message.recipient)?;
            writeln!(out, "Subject: {}", message.subject)?;
            writeln!(out, "Date: {}", message.created_at.to_rfc2822())?;
            if let Some(error) = &message.last_error {
                writeln!(
                    out,
                    "Not sent by mail after {} attempts: {error}",
                    message.attempts
                )?;
            }
            writeln!(out)?;
            writeln!(out, "{}", message.body.trim_end())?;
            writeln!(out, "----")?;
        }
        // Delivered only once it is out: a closed pipe leaves it waiting.
        out.flush()?;
        if !args.peek {
            store.write(|batch| batch.mark_delivered(message.id, Utc::now()))?;
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// Mails what is due, and says what it did.
fn send(args: &OutboxArgs) -> anyhow::Result<ExitCode> {
    let config = super::serve::portal_config(&args.portal)?;
    let Some(mailer) = super::serve::mailer(&config)? else {
        anyhow::bail!("--send needs a [mail] section in the --portal-config file");
    };
    let portal = Arc::new(
        Portal::open(&args.db.db)
            .with_context(|| format!("cannot open the store {}", args.db.db.display()))?
            .with_config(&config),
    );
    let delivery = super::runtime()?.block_on(mail::deliver(&portal, &mailer, Utc::now()))?;
    println!(
        "Sent {}, to try again later {}, left for `vindwerk outbox` {}, not yet due {}.",
        delivery.sent, delivery.deferred, delivery.given_up, delivery.waiting
    );
    Ok(ExitCode::from(EXIT_OK))
}
