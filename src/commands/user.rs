//! `vindwerk user add`: an account made from the command line, such as the first operator.
//! The password comes from standard input, so it shows in no process list or shell history.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::Utc;
use vindwerk_model::{Role, UserId};
use vindwerk_search_server::portal::{check_new_password, hash_password, new_id};
use vindwerk_store::{NewUser, Store, StoreError};

use super::{EXIT_FAILURE, EXIT_OK};
use crate::cli::{RoleArg, UserAddArgs, UserCommand};

pub fn run(command: &UserCommand) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add(args) => add(args),
    }
}

fn role(arg: RoleArg) -> Role {
    match arg {
        RoleArg::Seeker => Role::Seeker,
        RoleArg::Circle => Role::Circle,
        RoleArg::Coach => Role::Coach,
        RoleArg::Operator => Role::Operator,
    }
}

fn add(args: &UserAddArgs) -> anyhow::Result<ExitCode> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    check_new_password(password)
        .map_err(|weak| anyhow::anyhow!("the password (first line of standard input): {weak}"))?;
    let email = args.email.trim();
    if !email.contains('@') {
        bail!("--email: {email:?} is not an email address");
    }
    let hash = hash_password(password)?;
    let id = UserId::new(new_id('u').map_err(|error| anyhow::anyhow!("{error}"))?);
    let roles: Vec<Role> = args.roles.iter().copied().map(role).collect();
    super::crawl::ensure_parent(&args.db.db)?;
    let mut store = Store::open(&args.db.db)
        .with_context(|| format!("cannot open the store {}", args.db.db.display()))?;
    let created = store.write(|batch| {
        batch.create_user(
            &NewUser {
                id: &id,
                email,
                name: args.name.as_deref().unwrap_or(email),
                password_hash: &hash,
                roles: &roles,
            },
            Utc::now(),
        )
    });
    match created {
        Ok(()) => {
            let roles: Vec<&str> = roles.iter().map(|role| role.as_str()).collect();
            println!("added {email} ({})", roles.join(", "));
            Ok(ExitCode::from(EXIT_OK))
        }
        Err(StoreError::Duplicate { .. }) => {
            eprintln!("error: an account with the email address {email} exists already");
            Ok(ExitCode::from(EXIT_FAILURE))
        }
        Err(error) => Err(error).context("cannot add the account"),
    }
}
