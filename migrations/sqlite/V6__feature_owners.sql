-- Who answers for a feature: users and groups of its organisation.
CREATE TABLE feature_owners (
    feature_id INTEGER NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (feature_id, user_id)
);
CREATE INDEX ix_feature_owners_user ON feature_owners(user_id);

CREATE TABLE feature_group_owners (
    feature_id INTEGER NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
    PRIMARY KEY (feature_id, group_id)
);
CREATE INDEX ix_feature_group_owners_group ON feature_group_owners(group_id);
