//! Durable inserts, batched: concurrent `add`s share one transaction, and each caller is answered only
//! after the batch holding its task has committed.

use std::sync::Arc;

use switchyard_store::{NewTask, Store, StoreError};
use tokio::sync::{mpsc, oneshot};

/// Largest number of tasks committed in one transaction.
const MAX_BATCH: usize = 4096;

type Reply = oneshot::Sender<Result<u64, String>>;

/// The handle to the writer task.
pub(crate) struct InsertWriter {
    tx: mpsc::UnboundedSender<(NewTask, Reply)>,
}

impl InsertWriter {
    /// Starts the writer task on `store`.
    pub(crate) fn spawn(store: Arc<dyn Store>) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(write_batches(store, rx));
        Self { tx }
    }

    /// Stores `task` durably; returns its id.
    pub(crate) async fn insert(&self, task: NewTask) -> Result<Option<u64>, String> {
        let (reply, answer) = oneshot::channel();
        if self.tx.send((task, reply)).is_err() {
            return Ok(None);
        }
        match answer.await {
            Ok(result) => result.map(Some),
            Err(_) => Ok(None),
        }
    }
}

async fn write_batches(store: Arc<dyn Store>, mut rx: mpsc::UnboundedReceiver<(NewTask, Reply)>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(item) => batch.push(item),
                Err(_) => break,
            }
        }
        let (tasks, replies): (Vec<NewTask>, Vec<Reply>) = batch.into_iter().unzip();
        let store = store.clone();
        let result = tokio::task::spawn_blocking(move || store.task_insert_batch(&tasks)).await;
        answer(replies, result);
    }
}

fn answer(replies: Vec<Reply>, result: Result<Result<Vec<u64>, StoreError>, tokio::task::JoinError>) {
    match result {
        Ok(Ok(ids)) => {
            for (reply, id) in replies.into_iter().zip(ids) {
                let _ = reply.send(Ok(id));
            }
        }
        Ok(Err(e)) => {
            let text = e.to_string();
            for reply in replies {
                let _ = reply.send(Err(text.clone()));
            }
        }
        Err(_) => tracing::error!("scheduler store writer panicked"),
    }
}
