-- Flag evaluations the SDKs report (POST /api/v1/analytics/flags/), counted per environment,
-- feature, UTC day and the labels the reporting SDK sent (canonical JSON object).
CREATE TABLE feature_evaluations (
    environment_id BIGINT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    feature_id BIGINT NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    day DATE NOT NULL,
    labels TEXT NOT NULL DEFAULT '{}',
    count BIGINT NOT NULL,
    PRIMARY KEY (environment_id, feature_id, day, labels)
);
CREATE INDEX ix_feature_evaluations_feature ON feature_evaluations(feature_id, environment_id, day);
