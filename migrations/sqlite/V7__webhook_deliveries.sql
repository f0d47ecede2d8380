-- Outbound webhooks of an organisation (every audit log entry is posted to them).
CREATE TABLE organisation_webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL,
    secret TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_organisation_webhooks_organisation ON organisation_webhooks(organisation_id);

-- One event to post to one webhook: written in the transaction of the change it tells of.
-- Pending rows are the outbox; delivered and failed rows are the delivery log.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id INTEGER REFERENCES webhooks(id) ON DELETE CASCADE,
    organisation_webhook_id INTEGER REFERENCES organisation_webhooks(id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_by TEXT,
    claimed_until TEXT,
    response_code INTEGER,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((webhook_id IS NULL) <> (organisation_webhook_id IS NULL))
);
CREATE INDEX ix_webhook_deliveries_webhook ON webhook_deliveries(webhook_id, id);
CREATE INDEX ix_webhook_deliveries_organisation_webhook
    ON webhook_deliveries(organisation_webhook_id, id);
CREATE INDEX ix_webhook_deliveries_pending
    ON webhook_deliveries(next_attempt_at) WHERE state = 'pending';
