//! `vindwerk outbox`: the messages for people that wait in the store (password reset links),
//! printed for the operator to pass on, since no mail server is assumed. Printing marks them
//! delivered and empties their text, so a link stays on disk only until it is handed over.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use serde::Serialize;
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
}

pub fn run(args: &OutboxArgs) -> anyhow::Result<ExitCode> {
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
            };
            writeln!(out, "{}", serde_json::to_string(&printed)?)?;
        } else {
            writeln!(out, "To: {}", message.recipient)?;
            writeln!(out, "Subject: {}", message.subject)?;
            writeln!(out, "Date: {}", message.created_at.to_rfc2822())?;
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
