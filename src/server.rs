//! The HTTP server: a connection cap, header and idle timeouts, graceful shutdown.
//
// The HTTP server: accepts connections up to a cap kept below the open-file limit, closes
// connections that are slow to send their headers or sit idle, and shuts down gracefully.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, EndpointExt, IntoEndpoint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};

/// How connections are bounded.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// A request's headers must arrive within this (and an idle keep-alive connection is
    /// closed after it).
    pub header_read_timeout: Duration,
    /// A connection with nothing read or written for this long is closed.
    pub idle_timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
}

/// File descriptors kept for everything but client connections: the listener, database
/// connections and files, logs, the runtime's own.
fn reserved_files(database_connections: usize) -> u64 {
    64 + 4 * database_connections as u64
}

/// Raises the soft open-file limit to the hard limit and returns the connection cap that
/// leaves room for the rest of the process under it.
pub fn connection_cap(configured: usize, database_connections: usize) -> (usize, Option<u64>) {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let mut soft = limit.current;
    if limit.current != limit.maximum {
        let raised = rustix::process::Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => soft = limit.maximum,
            Err(e) => tracing::warn!(error = %e, "could not raise the open-file limit"),
        }
    }
    let cap = match soft {
        Some(files) => {
            let room = files
                .saturating_sub(reserved_files(database_connections))
                .max(16);
            configured.min(usize::try_from(room).unwrap_or(usize::MAX))
        }
        None => configured,
    };
    (cap, soft)
}

/// Serves `endpoint` on `listener` until `shutdown` completes, then gives open requests up to
/// `grace` to finish.
pub async fn serve(
    listener: TcpListener,
    endpoint: impl IntoEndpoint<Endpoint: 'static>,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
    grace: Duration,
) -> io::Result<()> {
    let endpoint: Arc<BoxEndpoint<'static>> =
        Arc::new(endpoint.into_endpoint().map_to_response().boxed());
    let local = listener.local_addr()?;
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopped) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut at_cap = false;
    let mut last_warned = None;
    tokio::pin!(shutdown);
    loop {
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if !at_cap {
                    at_cap = true;
                    tracing::warn!(
                        open = limits.max_connections,
                        "connection limit reached: new connections wait until one closes \
                         (max_connections, header_read_timeout and idle_timeout bound this)"
                    );
                }
                tokio::select! {
                    _ = &mut shutdown => break,
                    permit = permits.clone().acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                }
            }
        };
        if at_cap && permits.available_permits() > limits.max_connections / 10 {
            at_cap = false;
            tracing::info!("connections are below the limit again");
        }
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(&e, &mut last_warned).await;
                    continue;
                }
            },
        };
        // Reap finished connection tasks so the set does not grow.
        while connections.try_join_next().is_some() {}
        let endpoint = endpoint.clone();
        let stopped = stopped.clone();
        connections.spawn(async move {
            serve_connection(stream, local, peer, endpoint, limits, stopped).await;
            drop(permit);
        });
    }
    let _ = stop.send(true);
    drop(listener);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(grace, drained).await.is_err() {
        tracing::warn!("requests still running after the shutdown timeout were cut off");
        connections.abort_all();
    }
    Ok(())
}

/// Running out of file descriptors must not spin the accept loop or pass silently: one warning
/// every ten seconds at most, and a pause before the next try.
async fn accept_failed(error: &io::Error, last_warned: &mut Option<Instant>) {
    if last_warned.is_none_or(|at| at.elapsed() > Duration::from_secs(10)) {
        tracing::warn!(error = %error, "could not accept a connection");
        *last_warned = Some(Instant::now());
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
}

async fn serve_connection(
    stream: TcpStream,
    local: SocketAddr,
    peer: SocketAddr,
    endpoint: Arc<BoxEndpoint<'static>>,
    limits: ConnectionLimits,
    mut stopped: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(Watched::new(
        stream,
        limits.header_read_timeout,
        limits.idle_timeout,
    ));
    let local = poem::web::LocalAddr(poem::Addr::SocketAddr(local));
    let remote = poem::web::RemoteAddr(poem::Addr::SocketAddr(peer));
    let service = hyper::service::service_fn(move |req| {
        let endpoint = endpoint.clone();
        let (local, remote) = (local.clone(), remote.clone());
        async move {
            let req: poem::Request = (req, local, remote, poem::http::uri::Scheme::HTTP).into();
            let response = endpoint.get_response(req).await;
            Ok::<_, Infallible>(hyper::Response::<BoxBody<Bytes, io::Error>>::from(response))
        }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let connection = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = stopped.wait_for(|stop| *stop) => {}
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}

/// A socket that fails its reads once nothing has been read or written for a while: the
/// first bytes must come within the header timeout, later silences may last the idle timeout.
struct Watched {
    inner: TcpStream,
    deadline: Pin<Box<Sleep>>,
    idle: Duration,
    started: bool,
}

impl Watched {
    fn new(inner: TcpStream, first_bytes: Duration, idle: Duration) -> Self {
        Watched {
            inner,
            deadline: Box::pin(tokio::time::sleep(first_bytes)),
            idle,
            started: false,
        }
    }

    fn active(&mut self) {
        self.started = true;
        let next = Instant::now() + self.idle;
        self.deadline.as_mut().reset(next);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    self.active();
                }
                Poll::Ready(result)
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    if self.started {
                        "the connection was idle too long"
                    } else {
                        "no request arrived in time"
                    },
                ))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.active();
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.active();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
