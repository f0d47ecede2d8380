//! Changes between processes on one database: NOTIFY in each write, LISTEN on its own connection.
//
// Every commit that changed something sends one notice on `CHANNEL` inside its transaction, so
// it is delivered if and only if the write commits. Each process listens on a dedicated
// connection and hands the scopes of other processes' notices to the store's sinks, as if the
// write had been its own. When that connection is lost, the process reconnects, and once it
// listens again tells the sinks that changes may have been missed.

use crate::store::Result;
use crate::store::audit::Scope;
use crate::store::changes::{Listener, notice, read_notice};
use deadpool_postgres::Transaction;
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::{AsyncMessage, Config, Notification};
use tokio_postgres_rustls::MakeRustlsConnect;

/// The channel the Flagstaff processes on one schema notify and listen on (servers that keep
/// their data in different schemas of one database do not hear each other).
pub(super) fn channel(schema: &str) -> String {
    let mut name = format!("flagstaff_{schema}");
    // A channel is an identifier: at most 63 bytes.
    while name.len() > 63 {
        name.pop();
    }
    name
}

const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How often the listening connection is checked; a connection that died without a word
/// (a network gone quiet) is found this way.
const PING_EVERY: Duration = Duration::from_secs(15);
const PING_TIMEOUT: Duration = Duration::from_secs(5);

/// Sends this process's notice of `scopes` in `tx`: it is delivered when `tx` commits.
pub(super) async fn publish(
    tx: &Transaction<'_>,
    channel: &str,
    node: &str,
    scopes: &[Scope],
) -> Result<()> {
    if scopes.is_empty() {
        return Ok(());
    }
    let text = notice(node, scopes);
    tx.execute("SELECT pg_notify($1, $2)", &[&channel, &text])
        .await?;
    metrics::counter!("flagstaff_change_events_sent_total").increment(1);
    Ok(())
}

/// Listens for other processes' notices for as long as the process runs, reconnecting when
/// the connection is lost.
pub(super) async fn follow(
    config: Config,
    tls: MakeRustlsConnect,
    node: String,
    listener: Arc<Listener>,
    listening: oneshot::Sender<()>,
) {
    let mut listening = Some(listening);
    let mut config = config;
    config.application_name(format!("flagstaff listener {node}"));
    let mut backoff = FIRST_BACKOFF;
    let mut lost = false;
    // One warning per loss: retries during an outage are not news.
    let mut told = false;
    loop {
        match listen(&config, &tls, &node, &listener, lost, &mut listening).await {
            Ok(()) => {
                backoff = FIRST_BACKOFF;
                tracing::warn!(
                    "lost the connection that hears other servers' changes; reconnecting"
                );
                told = true;
            }
            Err(e) if !told => {
                tracing::warn!(error = %e, "cannot listen for other servers' changes; retrying");
                told = true;
            }
            Err(e) => {
                tracing::debug!(error = %e, retry_in_ms = backoff.as_millis() as u64, "cannot listen for other servers' changes yet");
            }
        }
        lost = true;
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One listening connection, until it is lost (`Ok`) or cannot be set up (`Err`).
async fn listen(
    config: &Config,
    tls: &MakeRustlsConnect,
    node: &str,
    listener: &Listener,
    after_loss: bool,
    listening: &mut Option<oneshot::Sender<()>>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(tls.clone()).await?;
    let (notices, mut received) = mpsc::unbounded_channel::<Notification>();
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(Ok(message)) = messages.next().await {
            if let AsyncMessage::Notification(n) = message
                && notices.send(n).is_err()
            {
                break;
            }
        }
    });
    let result = async {
        let channel = channel(&current_schema(&client).await?);
        client
            .batch_execute(&format!("LISTEN \"{}\"", channel.replace('"', "\"\"")))
            .await?;
        if let Some(first) = listening.take() {
            let _ = first.send(());
        }
        if after_loss {
            tracing::info!("listening for other servers' changes again; dropping what may be stale");
            listener.missed();
        } else {
            tracing::debug!("listening for other servers' changes");
        }
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        loop {
            tokio::select! {
                notice = received.recv() => match notice {
                    Some(n) => heard(&n, node, listener),
                    None => return Ok(()),
                },
                _ = ping.tick() => {
                    match tokio::time::timeout(PING_TIMEOUT, client.simple_query("SELECT 1")).await {
                        Ok(Ok(_)) => {}
                        Ok(Err(_)) | Err(_) => return Ok(()),
                    }
                }
            }
        }
    }
    .await;
    driver.abort();
    result
}

/// The schema the connection's tables live in (`public` unless the URL sets `search_path`).
pub(super) async fn current_schema(
    client: &impl tokio_postgres::GenericClient,
) -> Result<String, tokio_postgres::Error> {
    let row = client.query_one("SELECT current_schema()", &[]).await?;
    Ok(row
        .get::<_, Option<String>>(0)
        .unwrap_or_else(|| "public".into()))
}

fn heard(notification: &Notification, node: &str, listener: &Listener) {
    match read_notice(notification.payload()) {
        // Our own: told to the sinks when it committed.
        Some((from, _)) if from == node => {}
        Some((_, scopes)) => {
            metrics::counter!("flagstaff_change_events_received_total").increment(1);
            listener.committed(scopes)
        }
        None => {
            tracing::warn!(
                payload = notification.payload(),
                "ignored a change notice that is not one"
            );
        }
    }
}
