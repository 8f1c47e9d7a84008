//! `vindwerk serve`: the search API and pages on the index and the store.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use vindwerk_indexer::index::IndexHandle;
use vindwerk_indexer::normalise::{Gazetteer, Occupations};
use vindwerk_search_server::portal::mail::{self, Mailer};
use vindwerk_search_server::{AppState, Portal, PortalConfig, StoreVacancies, Synonyms};

use super::EXIT_OK;
use crate::cli::{PortalConfigArg, ServeArgs};

pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let options = ServeOptions {
        secure_cookies: args.secure_cookies,
        portal: portal_config(&args.portal)?,
    };
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let listener = bind(args.addr).await?;
        let shutdown = CancellationToken::new();
        shutdown_on_ctrl_c(shutdown.clone());
        serve(&args.db.db, &args.index.index, listener, shutdown, &options).await
    })?;
    Ok(ExitCode::from(EXIT_OK))
}

/// How the server is run beyond its store and index.
#[derive(Debug, Default)]
pub struct ServeOptions {
    /// The portal's cookies get `Secure` (the server is reached over TLS).
    pub secure_cookies: bool,
    pub portal: PortalConfig,
}

/// The settings of `--portal-config`, or none.
pub fn portal_config(arg: &PortalConfigArg) -> anyhow::Result<PortalConfig> {
    match &arg.portal_config {
        Some(path) => Ok(PortalConfig::load(path)?),
        None => Ok(PortalConfig::default()),
    }
}

/// The mailer of `config`'s `[mail]`, with its password from the environment.
pub fn mailer(config: &PortalConfig) -> anyhow::Result<Option<Mailer>> {
    config
        .mail
        .as_ref()
        .map(|mail| Mailer::new(mail, |variable| std::env::var(variable).ok()))
        .transpose()
        .context("cannot set up mail")
}

pub async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

pub fn shutdown_on_ctrl_c(shutdown: CancellationToken) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("shutting down");
        }
        shutdown.cancel();
    });
}

/// Serves until `shutdown` is cancelled, following new index generations as the indexer
/// publishes them.
pub async fn serve(
    db: &Path,
    index_dir: &Path,
    listener: TcpListener,
    shutdown: CancellationToken,
    options: &ServeOptions,
) -> anyhow::Result<()> {
    let mailer = mailer(&options.portal)?;
    // The portal's connection migrates the store first, so the readers below find the
    // schema this build expects.
    let portal = Portal::open(db)
        .with_context(|| format!("cannot open the store {} for the portal", db.display()))?
        .with_secure_cookies(options.secure_cookies)
        .with_config(&options.portal);
    let index = IndexHandle::open(index_dir)
        .with_context(|| format!("cannot open the index {}", index_dir.display()))?;
    let vacancies = StoreVacancies::open(db)
        .with_context(|| format!("cannot open the store {}", db.display()))?;
    let (gazetteer, occupations) = tokio::task::spawn_blocking(|| {
        Ok::<_, anyhow::Error>((Gazetteer::load()?, Occupations::load()?))
    })
    .await
    .context("loading the reference data stopped")??;
    let state = AppState::new(Arc::new(index), Arc::new(vacancies), Arc::new(gazetteer))
        .with_synonyms(Synonyms::from_esco(&occupations))
        .with_internal_indexes(index_dir)
        .with_portal(portal);
    let _follower = state.follow_index();
    if let (Some(mailer), Some(portal)) = (mailer, state.portal()) {
        mail::spawn_delivery(Arc::clone(portal), mailer, shutdown.clone());
    }
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    tracing::info!(%address, "serving search");
    let app = vindwerk_search_server::app(state);
    // The peer address feeds the portal's sign-in limit per address.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown.cancelled_owned())
    .await
    .context("the server stopped")
}
