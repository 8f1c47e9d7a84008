//! The store's one writer during a round: a plain thread that owns the `Store`, takes write
//! operations from the async side over a channel, and commits them in batches so that a round
//! of a thousand postings a second costs a few transactions a second, not a thousand.

use std::thread;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};
use tracing::warn;
use vindwerk_model::{Channel, ExpiryReason, PostingData, PostingId, SourceId, SourceKind};
use vindwerk_store::{FetchState, Store, StoreError, Upserted};

/// Operations are committed at the latest after this many in one transaction.
const MAX_BATCH: usize = 512;

pub(crate) enum WriteOp {
    Upsert {
        source: SourceId,
        kind: SourceKind,
        channel: Channel,
        data: Box<PostingData>,
        seen_at: DateTime<Utc>,
        reply: oneshot::Sender<Result<Upserted, String>>,
    },
    Touch {
        source: SourceId,
        url: String,
        seen_at: DateTime<Utc>,
    },
    Expire {
        id: PostingId,
        at: DateTime<Utc>,
        reason: ExpiryReason,
        reply: oneshot::Sender<bool>,
    },
    SaveFetchState {
        url: String,
        state: FetchState,
    },
    /// Answered once everything sent before it is committed.
    Flush(oneshot::Sender<()>),
}

/// The async side's handle on the writer thread.
#[derive(Clone)]
pub(crate) struct Writer {
    sender: mpsc::Sender<WriteOp>,
}

impl Writer {
    /// Starts the writer thread that owns `store`; the thread ends, handing the store back,
    /// when every `Writer` clone is dropped, after committing what it was sent.
    pub(crate) fn start(store: Store) -> (Writer, thread::JoinHandle<Store>) {
        let (sender, receiver) = mpsc::channel(4 * MAX_BATCH);
        let handle = thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || write_loop(store, receiver))
            .expect("spawning a thread should succeed");
        (Writer { sender }, handle)
    }

    pub(crate) async fn upsert(
        &self,
        source: &SourceId,
        kind: SourceKind,
        channel: Channel,
        data: PostingData,
        seen_at: DateTime<Utc>,
    ) -> Result<Upserted, String> {
        let (reply, answer) = oneshot::channel();
        let op = WriteOp::Upsert {
            source: source.clone(),
            kind,
            channel,
            data: Box::new(data),
            seen_at,
            reply,
        };
        self.send(op).await?;
        answer
            .await
            .map_err(|_| "store writer stopped".to_owned())?
    }

    pub(crate) async fn touch(&self, source: &SourceId, url: &str, seen_at: DateTime<Utc>) {
        let op = WriteOp::Touch {
            source: source.clone(),
            url: url.to_owned(),
            seen_at,
        };
        let _ = self.send(op).await;
    }

    pub(crate) async fn expire(
        &self,
        id: PostingId,
        at: DateTime<Utc>,
        reason: ExpiryReason,
    ) -> bool {
        let (reply, answer) = oneshot::channel();
        if self
            .send(WriteOp::Expire {
                id,
                at,
                reason,
                reply,
            })
            .await
            .is_err()
        {
            return false;
        }
        answer.await.unwrap_or(false)
    }

    pub(crate) async fn save_fetch_state(&self, url: &str, state: FetchState) {
        let _ = self
            .send(WriteOp::SaveFetchState {
                url: url.to_owned(),
                state,
            })
            .await;
    }

    pub(crate) async fn flush(&self) {
        let (reply, answer) = oneshot::channel();
        if self.send(WriteOp::Flush(reply)).await.is_ok() {
            let _ = answer.await;
        }
    }

    async fn send(&self, op: WriteOp) -> Result<(), String> {
        self.sender
            .send(op)
            .await
            .map_err(|_| "store writer stopped".to_owned())
    }
}

fn write_loop(mut store: Store, mut receiver: mpsc::Receiver<WriteOp>) -> Store {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(op) = receiver.blocking_recv() {
        batch.push(op);
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        commit(&mut store, &mut batch);
    }
    store
}

/// Applies a batch in one transaction and answers each operation once it is committed. An
/// operation that fails is answered with its error; the others still commit.
fn commit(store: &mut Store, batch: &mut Vec<WriteOp>) {
    let mut answers: Vec<Box<dyn FnOnce(bool) + Send>> = Vec::with_capacity(batch.len());
    let result = store.write(|tx| -> Result<(), StoreError> {
        for op in batch.drain(..) {
            match op {
                WriteOp::Upsert {
                    source,
                    kind,
                    channel,
                    data,
                    seen_at,
                    reply,
                } => {
                    let result = tx
                        .upsert_posting(&source, kind, channel, &data, seen_at)
                        .map_err(|error| error.to_string());
                    answers.push(Box::new(move |committed| {
                        let result = if committed {
                            result
                        } else {
                            Err("store transaction failed".to_owned())
                        };
                        let _ = reply.send(result);
                    }));
                }
                WriteOp::Touch {
                    source,
                    url,
                    seen_at,
                } => {
                    if let Err(error) = tx.touch_posting(&source, &url, seen_at) {
                        warn!(%url, "cannot refresh posting: {error}");
                    }
                }
                WriteOp::Expire {
                    id,
                    at,
                    reason,
                    reply,
                } => {
                    let expired = match tx.expire_posting(id, at, reason) {
                        Ok(expired) => expired,
                        Err(error) => {
                            warn!(posting = %id, "cannot expire posting: {error}");
                            false
                        }
                    };
                    answers.push(Box::new(move |committed| {
                        let _ = reply.send(committed && expired);
                    }));
                }
                WriteOp::SaveFetchState { url, state } => {
                    if let Err(error) = tx.save_fetch_state(&url, &state) {
                        warn!(%url, "cannot save fetch state: {error}");
                    }
                }
                WriteOp::Flush(reply) => answers.push(Box::new(move |_| {
                    let _ = reply.send(());
                })),
            }
        }
        Ok(())
    });
    let committed = match result {
        Ok(()) => true,
        Err(error) => {
            warn!("store transaction failed: {error}");
            false
        }
    };
    for answer in answers {
        answer(committed);
    }
}
