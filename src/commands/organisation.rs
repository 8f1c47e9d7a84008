//! `vindwerk organisation add|list`: the organisations of internal labour markets, made by
//! an operator, each with a first administrator who manages its members in the portal.

use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::Utc;
use vindwerk_model::is_slug;
use vindwerk_store::{Store, StoreError};

use super::EXIT_OK;
use crate::cli::{OrganisationAddArgs, OrganisationCommand, OrganisationListArgs};

pub fn run(command: &OrganisationCommand) -> anyhow::Result<ExitCode> {
    match command {
        OrganisationCommand::Add(args) => add(args),
        OrganisationCommand::List(args) => list(args),
    }
}

fn add(args: &OrganisationAddArgs) -> anyhow::Result<ExitCode> {
    let slug = args.slug.trim();
    if !is_slug(slug) {
        bail!(
            "{slug:?} is no organisation slug: use lower-case letters, digits and dashes, as in audience = \"org:<slug>\""
        );
    }
    let name = args.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        bail!("--name: give the organisation's name (at most 200 characters)");
    }
    super::crawl::ensure_parent(&args.db.db)?;
    let mut store = Store::open(&args.db.db)
        .with_context(|| format!("cannot open the store {}", args.db.db.display()))?;
    let mut admins = Vec::with_capacity(args.admins.len());
    for email in &args.admins {
        match store.user_by_email(email.trim())? {
            Some(user) => admins.push(user),
            None => bail!(
                "--admin {email}: no account has this email address (add it with `vindwerk user add`, or let them sign up first)"
            ),
        }
    }
    let now = Utc::now();
    store.write(|batch| -> Result<(), StoreError> {
        batch.put_organisation(slug, name, now)?;
        for admin in &admins {
            batch.put_member(slug, &admin.id, true, now)?;
        }
        Ok(())
    })?;
    let emails: Vec<&str> = admins.iter().map(|user| user.email.as_str()).collect();
    if emails.is_empty() {
        println!("organisation {slug} ({name})");
    } else {
        println!(
            "organisation {slug} ({name}), administered by {}",
            emails.join(", ")
        );
    }
    Ok(ExitCode::from(EXIT_OK))
}

fn list(args: &OrganisationListArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_readonly(&args.db.db)
        .with_context(|| format!("cannot open the store {}", args.db.db.display()))?;
    for organisation in store.organisations()? {
        println!("{}\t{}", organisation.slug, organisation.name);
        for member in store.members_of(&organisation.slug)? {
            let role = if member.admin {
                "beheerder"
            } else {
                "medewerker"
            };
            println!("\t{}\t{}\t{role}", member.email, member.name);
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
