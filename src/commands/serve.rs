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
use vindwerk_search_server::{AppState, Portal, StoreVacancies, Synonyms};

use super::EXIT_OK;
use crate::cli::ServeArgs;

pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let listener = bind(args.addr).await?;
        let shutdown = CancellationToken::new();
        shutdown_on_ctrl_c(shutdown.clone());
        serve(
            &args.db.db,
            &args.index.index,
            listener,
            shutdown,
            args.secure_cookies,
        )
        .await
    })?;
    Ok(ExitCode::from(EXIT_OK))
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
    secure_cookies: bool,
) -> anyhow::Result<()> {
    // The portal's connection migrates the store first, so the readers below find the
    // schema this build expects.
    let portal = Portal::open(db)
        .with_context(|| format!("cannot open the store {} for the portal", db.display()))?
        .with_secure_cookies(secure_cookies);
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
        .with_portal(portal);
    let _follower = state.follow_index();
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
