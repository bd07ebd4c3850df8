//! Running a `Sim` on loopback: in the foreground for `auditdesk sim serve`,
//! or on a background thread for the embedded demo source and the tests.

use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use crate::server::{Sim, SimError, router};

/// A simulator serving on a background thread until dropped.
pub struct RunningSim {
    pub url: String,
    pub sim: Arc<Sim>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<(), SimError>>>,
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, SimError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(SimError::Serve)
}

async fn bind(addr: &str) -> Result<tokio::net::TcpListener, SimError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| SimError::Bind {
            addr: addr.to_string(),
            source,
        })
}

/// Serves `sim` on `addr` (say `127.0.0.1:0`) from a background thread.
pub fn spawn(sim: Arc<Sim>, addr: &str) -> Result<RunningSim, SimError> {
    let rt = runtime()?;
    let listener = rt.block_on(bind(addr))?;
    let local = listener.local_addr().map_err(SimError::Serve)?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = router(Arc::clone(&sim));
    let thread = std::thread::Builder::new()
        .name("auditdesk-sim".into())
        .spawn(move || {
            rt.block_on(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await
                    .map_err(SimError::Serve)
            })
        })
        .map_err(SimError::Serve)?;
    Ok(RunningSim {
        url: format!("http://{local}"),
        sim,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

/// Serves in the foreground until Ctrl-C; `ready` gets the URL once bound.
pub fn serve(sim: Arc<Sim>, addr: &str, ready: impl FnOnce(&str)) -> Result<(), SimError> {
    let rt = runtime()?;
    rt.block_on(async move {
        let listener = bind(addr).await?;
        let local = listener.local_addr().map_err(SimError::Serve)?;
        ready(&format!("http://{local}"));
        axum::serve(listener, router(sim))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(SimError::Serve)
    })
}
