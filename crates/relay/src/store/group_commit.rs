//! Group commit: every write of the relay runs on one writer thread, and the writes that
//! arrive while a commit is under way are committed together in the next transaction, each in
//! a savepoint of its own (a failing write is rolled back alone). One `fsync` then makes many
//! writes durable, and each caller hears its result only after the commit that holds its
//! write, so "answered" still means "on disk" (`synchronous=FULL`). The queue is bounded: a
//! write that finds [`MAX_QUEUED`] writes waiting is refused at once ([`StoreError::Busy`],
//! which the client hears as "try again shortly") instead of piling up memory and delay.

use super::StoreError;
use rusqlite::Connection;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// Most writes committed together.
const MAX_BATCH: usize = 256;
/// Most writes waiting for the writer.
pub const MAX_QUEUED: usize = 4096;

/// Tells one caller its result, once the transaction holding its write has ended.
type Finish = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// One write: runs on the connection, says whether it succeeded and how to answer.
type Job = Box<dyn FnOnce(&mut Connection) -> (bool, Finish) + Send>;

/// The sending side of the writer thread; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::SyncSender<Job>,
}

impl Writer {
    /// Starts the writer thread on `conn`; it ends when the last [`Writer`] is dropped.
    pub fn start(conn: Connection) -> Result<Self, StoreError> {
        Self::start_with_queue(conn, MAX_QUEUED)
    }

    fn start_with_queue(conn: Connection, max_queued: usize) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::sync_channel::<Job>(max_queued);
        std::thread::Builder::new().name("relay-writer".into()).spawn(move || write_loop(conn, queue))?;
        Ok(Self { jobs })
    }

    /// Runs `f` on the writer's connection and answers once its write is committed.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            let ok = result.is_ok();
            let finish: Finish = Box::new(move |committed| {
                let _ = answer.send(committed.and(result));
            });
            (ok, finish)
        });
        self.jobs.try_send(job).map_err(|e| match e {
            mpsc::TrySendError::Full(_) => StoreError::Busy,
            mpsc::TrySendError::Disconnected(_) => StoreError::TaskFailed,
        })?;
        // A write that panicked drops its answer: the caller hears that the task failed.
        answered.await.map_err(|_| StoreError::TaskFailed)?
    }
}

fn write_loop(mut conn: Connection, queue: mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit_batch(&mut conn, batch);
    }
}

/// Runs `batch` in one transaction, each job in its own savepoint, commits, then answers.
fn commit_batch(conn: &mut Connection, batch: Vec<Job>) {
    if conn.execute_batch("BEGIN IMMEDIATE").is_err() {
        // Without an outer transaction each job still commits on its own, as before batching;
        // a job that panicked dropped its answer, so its caller hears that the task failed.
        for (_, finish) in batch.into_iter().filter_map(|job| run_job(conn, job)) {
            finish(Ok(()));
        }
        return;
    }
    let mut finishes = Vec::with_capacity(batch.len());
    for job in batch {
        if conn.execute_batch("SAVEPOINT job").is_err() {
            // Cannot isolate the job: it is dropped unrun, with its answer, so its caller
            // hears that the task failed.
            continue;
        }
        match run_job(conn, job) {
            Some((true, finish)) => {
                let _ = conn.execute_batch("RELEASE job");
                finishes.push(finish);
            }
            Some((false, finish)) => {
                let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
                finishes.push(finish);
            }
            None => {
                let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
            }
        }
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => finishes.into_iter().for_each(|finish| finish(Ok(()))),
        Err(error) => {
            let _ = conn.execute_batch("ROLLBACK");
            let message = error.to_string();
            for finish in finishes {
                finish(Err(StoreError::CommitFailed(message.clone())));
            }
        }
    }
}

/// Runs one job; `None` when it panicked (its answer is dropped with it).
fn run_job(conn: &mut Connection, job: Job) -> Option<(bool, Finish)> {
    catch_unwind(AssertUnwindSafe(|| job(conn))).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> (tempfile::TempDir, Writer, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER PRIMARY KEY);").unwrap();
        (dir, Writer::start(conn).unwrap(), path)
    }

    fn count(path: &std::path::Path) -> i64 {
        Connection::open(path).unwrap().query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn concurrent_writes_are_all_committed_and_a_failing_one_is_rolled_back_alone() {
        let (_dir, writer, path) = writer();
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
        let results = runtime.block_on(async {
            let mut tasks = Vec::new();
            for n in 0..500i64 {
                let writer = writer.clone();
                tasks.push(tokio::spawn(async move {
                    writer
                        .call(move |conn| {
                            conn.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                            if n % 100 == 7 {
                                // Written, then refused: this row must not stay.
                                return Err(StoreError::Corrupt("refused on purpose"));
                            }
                            Ok(n)
                        })
                        .await
                }));
            }
            let mut results = Vec::new();
            for task in tasks {
                results.push(task.await.unwrap());
            }
            results
        });
        assert_eq!(results.iter().filter(|r| r.is_err()).count(), 5);
        assert_eq!(count(&path), 495, "every answered write is in the database, no refused one");
    }

    #[test]
    fn a_full_queue_refuses_at_once_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("w.db")).unwrap();
        conn.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY);").unwrap();
        let writer = Writer::start_with_queue(conn, 1).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
        // The first write holds the writer until told; the second waits in the queue's one
        // place; the third finds the queue full.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, running) = std::sync::mpsc::channel::<()>();
        let first = runtime.spawn({
            let writer = writer.clone();
            async move {
                writer
                    .call(move |_| {
                        started.send(()).unwrap();
                        held.recv().unwrap();
                        Ok(())
                    })
                    .await
            }
        });
        running.recv().unwrap();
        let second = runtime.spawn({
            let writer = writer.clone();
            async move { writer.call(|conn| Ok(conn.execute("INSERT INTO t (n) VALUES (2)", [])?)).await }
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        let third = runtime.block_on(writer.call(|conn| Ok(conn.execute("INSERT INTO t (n) VALUES (3)", [])?)));
        assert!(matches!(third, Err(StoreError::Busy)), "{third:?}");
        release.send(()).unwrap();
        runtime.block_on(first).unwrap().unwrap();
        assert_eq!(runtime.block_on(second).unwrap().unwrap(), 1);
        runtime.block_on(writer.call(|conn| Ok(conn.execute("INSERT INTO t (n) VALUES (4)", [])?))).unwrap();
    }

    #[test]
    fn a_write_that_panics_fails_alone_and_the_writer_goes_on() {
        let (_dir, writer, path) = writer();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let panicked = runtime.block_on(writer.call(|conn| -> Result<(), StoreError> {
            conn.execute("INSERT INTO t (n) VALUES (1)", [])?;
            panic!("a bug in one write");
        }));
        assert!(matches!(panicked, Err(StoreError::TaskFailed)), "{panicked:?}");
        runtime.block_on(writer.call(|conn| Ok(conn.execute("INSERT INTO t (n) VALUES (2)", [])?))).unwrap();
        assert_eq!(count(&path), 1, "only the second write stays");
    }
}
