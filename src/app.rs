//! The composition root: the store, the routes and the server's lifecycle.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use poem::Endpoint;
use tokio::net::TcpListener;

use crate::api::{self, CorsPolicy, Edge, HostPolicy, MetricsAccess, State};
use crate::clock::Clock;
use crate::config::Config;
use crate::server::ConnectionLimits;
use crate::service::Service;
use crate::store::{self, ConnectOptions, MigrationReport, Store};
use crate::web::Dashboard;

/// A built application: a migrated store and the settings the HTTP layer needs.
pub struct App {
    pub store: Arc<dyn Store>,
    pub state: Arc<State>,
    edge: Edge,
    gzip: bool,
    dashboard: Option<Dashboard>,
    connections: ConnectionLimits,
    database_connections: usize,
}

impl App {
    /// Opens and migrates the database the configuration names.
    pub async fn build(
        config: &Config,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<(App, MigrationReport)> {
        let secret_key = config.load_or_create_secret_key()?;
        let options = connect_options(config);
        let (store, report) = store::connect(&config.database, &options, clock.clone()).await?;
        for migration in &report.applied {
            tracing::info!(%migration, "applied migration");
        }
        let service = Arc::new(Service::new(store.clone(), clock.clone(), config.policy()));
        if let Some(plan) = &config.bootstrap {
            service
                .bootstrap(plan)
                .await
                .map_err(|e| anyhow::anyhow!("bootstrapping the installation failed: {e}"))?;
        }
        let state = Arc::new(State {
            service,
            secret_key,
            metrics: MetricsAccess {
                here: config.metrics_bind.is_none(),
                token: config.metrics_token.clone(),
            },
        });
        let app = App {
            store,
            state,
            edge: Edge {
                hosts: HostPolicy::new(&config.allowed_hosts, config.use_x_forwarded_host),
                cors: CorsPolicy::new(&config.trusted_origins, config.use_x_forwarded_host),
                limits: config.body_limits,
            },
            gzip: config.enable_gzip_compression,
            dashboard: config
                .dashboard
                .then(|| Dashboard::new(&config.base_path())),
            connections: ConnectionLimits {
                header_read_timeout: config.header_read_timeout,
                idle_timeout: config.idle_timeout,
                max_connections: config.max_connections,
            },
            database_connections: config.database_pool_size + 1,
        };
        Ok((app, report))
    }

    pub fn endpoint(&self) -> impl Endpoint + 'static {
        api::routes(
            self.state.clone(),
            self.edge.clone(),
            self.gzip,
            self.dashboard
                .clone()
                .map(|d| Arc::new(d) as Arc<dyn api::Pages>),
        )
    }

    /// Binds the listening socket; the server answers once `Bound::run` is awaited.
    pub async fn bind(self, addr: SocketAddr) -> anyhow::Result<Bound> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local_addr = listener.local_addr().unwrap_or(addr);
        Ok(Bound {
            app: self,
            listener,
            local_addr,
        })
    }
}

/// A safety net under the change notices: every half minute, drops snapshots of environments
/// whose `updated_at` moved since they were built (a notice lost with a connection, say).
async fn drop_stale_snapshots(service: Arc<Service>) {
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match service.snapshots().drop_stale().await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(dropped = n, "dropped stale snapshots"),
            Err(e) if e.is_unavailable() => service.database_unavailable(),
            Err(e) => tracing::warn!(error = %e, "could not check snapshots for staleness"),
        }
    }
}

/// A bound, not yet serving, server.
pub struct Bound {
    app: App,
    listener: TcpListener,
    pub local_addr: SocketAddr,
}

impl Bound {
    pub fn service(&self) -> Arc<Service> {
        self.app.state.service.clone()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish for up to `grace`.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send,
        grace: Duration,
    ) -> anyhow::Result<()> {
        let endpoint = self.app.endpoint();
        let mut limits = self.app.connections;
        let (cap, files) =
            crate::server::connection_cap(limits.max_connections, self.app.database_connections);
        if cap < limits.max_connections {
            tracing::info!(
                max_connections = cap,
                open_file_limit = files,
                "connections capped below the open-file limit"
            );
        }
        limits.max_connections = cap;
        crate::server::serve(self.listener, endpoint, limits, shutdown, grace)
            .await
            .context("the HTTP server failed")
    }
}

/// `flagstaff serve`: migrate, bind, load the flag snapshots, tell systemd we are ready, serve
/// until SIGTERM or SIGINT.
pub async fn serve(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<()> {
    let shutdown = shutdown_signal()?;
    api::metrics_install(config.statsd.as_ref());
    let (app, report) = App::build(&config, clock).await?;
    let backend = app.store.backend();
    let store = app.store.clone();
    let bound = app.bind(config.bind).await?;
    if let Some(address) = config.metrics_bind {
        let metrics = api::metrics_endpoint(&bound.app.state);
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen for metrics on {address}"))?;
        tracing::info!(%address, "metrics are served on their own address");
        tokio::spawn(async move {
            let served = match poem::listener::TcpAcceptor::from_tokio(listener) {
                Ok(acceptor) => poem::Server::new_with_acceptor(acceptor).run(metrics).await,
                Err(e) => Err(e),
            };
            if let Err(e) = served {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    tracing::info!(
        address = %bound.local_addr,
        database = backend,
        schema_version = report.version,
        version = api::VERSION,
        "flagstaff is serving"
    );
    // Hear other servers' changes before loading, so that none falls between the two.
    store.follow_others().await;
    match bound.service().snapshots().warm().await {
        Ok(environments) => tracing::info!(environments, "flag snapshots loaded"),
        Err(e) => {
            tracing::warn!(error = %e, "loading the flag snapshots failed; each loads on its first request")
        }
    }
    tokio::spawn(drop_stale_snapshots(bound.service()));
    if config.statsd.is_some() {
        // StatsD is not scraped: send the gauges now and then.
        let service = bound.service();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(10));
            loop {
                every.tick().await;
                service.observe();
            }
        });
    }
    let (stop_sending, stop) = tokio::sync::watch::channel(false);
    let sending = tokio::spawn(bound.service().webhook_dispatcher().run(stop));
    if let Err(e) = sd_notify::notify(&[sd_notify::NotifyState::Ready]) {
        tracing::warn!(error = %e, "could not notify systemd");
    }
    // Realtime streams never end by themselves: end them when stopping, or the shutdown
    // would wait its whole timeout for them.
    let service = bound.service();
    let shutdown = async move {
        shutdown.await;
        service.close_streams();
    };
    bound.run(shutdown, config.shutdown_timeout).await?;
    // Let the webhook attempts under way end and be recorded (each has its own timeout).
    let _ = stop_sending.send(true);
    let _ = tokio::time::timeout(config.policy.webhooks.timeout * 2, sending).await;
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
    tracing::info!("flagstaff stopped");
    Ok(())
}

/// `flagstaff migrate`: bring the schema up to date and stop.
pub async fn migrate(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<MigrationReport> {
    let (_app, report) = App::build(&config, clock).await?;
    Ok(report)
}

/// The pool size and patience the configuration sets for the database.
pub fn connect_options(config: &Config) -> ConnectOptions {
    ConnectOptions {
        pool_size: config.database_pool_size,
        connect_timeout: config.database_connect_timeout,
        ca_file: config.database_ca_file.clone(),
    }
}

/// `flagstaff createsuperuser`: a superuser in the configured database.
pub async fn create_superuser(
    config: Config,
    clock: Arc<dyn Clock>,
    email: &str,
    password: &str,
) -> anyhow::Result<crate::domain::user::User> {
    let (app, _) = App::build(&config, clock).await?;
    app.state
        .service
        .create_superuser(email, password)
        .await
        .map_err(|e| match e {
            crate::service::ServiceError::Invalid(crate::service::Problem::Fields(errors)) => {
                anyhow::anyhow!(
                    "{}",
                    errors
                        .0
                        .iter()
                        .map(|(field, messages)| format!("{field}: {}", messages.join(" ")))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            }
            other => anyhow::anyhow!("{other}"),
        })
}

/// Listens for SIGTERM (systemd's stop) and SIGINT (Ctrl-C) from the moment it is made, so a
/// signal that arrives while the server starts is not lost; completes on the first.
pub fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => tracing::info!("SIGTERM received; finishing in-flight requests"),
            _ = interrupt.recv() => tracing::info!("SIGINT received; finishing in-flight requests"),
        }
    })
}
