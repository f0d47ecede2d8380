//! Upstream's shape of each shared GET and create operation, read from Flagsmith's serializers.
//
// Each shape names its upstream serializer in the comment above it (paths under Flagsmith's
// `api/`). `+key` marks a key upstream does not send and Flagstaff keeps on purpose; the reason
// is in the comment. Lists are upstream's: `page(T)` where upstream paginates, `[T]` where it
// answers a plain list.

/// Shapes used by more than one operation.
pub const NAMED: &[(&str, &str)] = &[
    // projects/serializers.py ProjectListSerializer.
    (
        "project",
        "{id: int, uuid: str, name: str, organisation: int, hide_disabled_flags: bool,
          enable_dynamo_db: bool, migration_status: str, use_edge_identities: bool,
          prevent_flag_defaults: bool, enable_realtime_updates: bool,
          only_allow_lower_case_feature_names: bool, feature_name_regex: str?,
          show_edge_identity_overrides_for_feature: bool, stale_flags_limit_days: int,
          edge_v2_migration_status: str, minimum_change_request_approvals: int?,
          enforce_feature_owners: bool}",
    ),
    // environments/serializers.py EnvironmentSerializerLight, and WithMetadata. Ours are one
    // shape: `metadata` (always empty here) everywhere, and `updated_at`, when the
    // environment last changed, as its realtime stream reports it.
    (
        "env_fields",
        "{id: int, uuid: str, name: str, api_key: str, description: str?, project: int,
          minimum_change_request_approvals: int?, allow_client_traits: bool, banner_text: str?,
          banner_colour: str?, hide_disabled_flags: bool?, use_mv_v2_evaluation: bool,
          use_identity_composite_key_for_hashing: bool, hide_sensitive_data: bool,
          use_v2_feature_versioning: bool, use_identity_overrides_in_local_eval: bool,
          is_creating: bool}",
    ),
    (
        "env_light",
        "env_fields with {+metadata: [any], +updated_at: time}",
    ),
    (
        "environment",
        "env_fields with {metadata: [any], +updated_at: time}",
    ),
    // projects/tags/serializers.py TagSerializer.
    (
        "tag",
        "{id: int, label: str, color: str, description: str?, project: int, uuid: str,
          is_permanent: bool, is_system_tag: bool, type: str}",
    ),
    // segments/serializers.py SegmentSerializer, SegmentRuleSerializer (two levels deep),
    // ConditionSerializer.
    (
        "condition",
        "{id: int, operator: str, property: str?, value: str?, description: str?}",
    ),
    (
        "segment",
        "{id: int, uuid: str, created_at: time?, updated_at: time?, name: str,
          description: str?, project: int, feature: int?, version_of: int?,
          rules: [{id: int, type: str, conditions: [condition],
                   rules: [{id: int, type: str, conditions: [condition]}]}],
          metadata: [any], membership_counts: [any], managed_by: str}",
    ),
    // environments/identities/serializers.py IdentitySerializer.
    ("identity", "{id: int, identifier: str, environment: int}"),
    // environments/identities/traits/serializers.py TraitSerializer.
    (
        "trait",
        "{id: int, trait_key: str, value_type: str?, integer_value: int?, string_value: str?,
          boolean_value: bool?, float_value: num?, created_date: time}",
    ),
    // environments/serializers.py WebhookSerializer.
    (
        "env_webhook",
        "{id: int, url: str, enabled: bool, created_at: time, updated_at: time, secret: str}",
    ),
    // environments/serializers.py EnvironmentAPIKeySerializer.
    (
        "server_key",
        "{id: int, key: str, active: bool, created_at: time, name: str, expires_at: time?}",
    ),
    // users/serializers.py UserListSerializer: a user as others see them.
    (
        "user",
        "{id: int, email: str, first_name: str, last_name: str, last_login: time?, uuid: str}",
    ),
    // features/multivariate/serializers.py NestedMultivariateFeatureOptionSerializer, and
    // MultivariateFeatureOptionSerializer (with its feature).
    (
        "nested_mv_option",
        "{id: int, uuid: str, type: str, integer_value: int?, string_value: str?,
          boolean_value: bool?, default_percentage_allocation: num, key: str?}",
    ),
    ("mv_option", "nested_mv_option with {feature: int}"),
    // features/serializers.py FeatureStateSerializerSmall.
    (
        "fs_small",
        "{id: int, feature_state_value: any, environment: int?, identity: int?,
          feature_segment: int?, enabled: bool}",
    ),
    // features/serializers.py ProjectFeatureSerializer (the owner actions' answer).
    (
        "project_feature",
        "{id: int, name: str, created_date: time, description: str?, initial_value: str?,
          default_enabled: bool, type: str, owners: [user], group_owners: [{id: int, name: str}],
          is_server_key_only: bool}",
    ),
    // features/serializers.py CreateFeatureSerializer (22 keys; get-by-uuid answers these).
    (
        "feature_base",
        "project_feature with {tags: [int], multivariate_options: [nested_mv_option],
          is_archived: bool, uuid: str, project: int, environment_feature_state: fs_small?,
          segment_feature_state: fs_small?, num_segment_overrides: int,
          num_identity_overrides: int?, is_num_identity_overrides_complete: bool,
          last_modified_in_any_environment: time?, last_modified_in_current_environment: time?}",
    ),
    // The owner actions: upstream's ProjectFeatureSerializer, and the rest of the feature
    // that ours answer on top (a superset, so a client can refresh the feature from it).
    (
        "owned_feature",
        "project_feature with {+tags: [int], +multivariate_options: [nested_mv_option],
          +is_archived: bool, +uuid: str, +project: int, +environment_feature_state: fs_small?,
          +segment_feature_state: fs_small?, +num_segment_overrides: int,
          +num_identity_overrides: int?, +is_num_identity_overrides_complete: bool,
          +last_modified_in_any_environment: time?, +last_modified_in_current_environment: time?,
          +metadata: [any], +code_references_counts: [any]}",
    ),
    // features/serializers.py ListFeatureSerializer (list and retrieve); lifecycle_stage is
    // left out while upstream's lifecycle flag is off.
    (
        "feature",
        "feature_base with {metadata: [any], code_references_counts: [any]}",
    ),
    // flagsmith-common FeatureStateValueSerializer and the multivariate state value.
    (
        "typed_value",
        "{type: str?, string_value: str?, integer_value: int?, boolean_value: bool?}",
    ),
    (
        "mv_state_value",
        "{id: int, multivariate_feature_option: int, percentage_allocation: num}",
    ),
    // features/serializers.py FeatureStateSerializerBasic (all model fields but the salt),
    // without the two keys its variants answer differently.
    (
        "state_fields",
        "{id: int, multivariate_feature_state_values: [mv_state_value], deleted_at: time?,
          uuid: str, enabled: bool, created_at: time, updated_at: time, live_from: time?,
          version: int?, feature: int, environment: int?, feature_segment: int?,
          change_request: int?, environment_feature_version: str?}",
    ),
    (
        "state",
        "state_fields with {feature_state_value: any, identity: int?}",
    ),
    // FeatureStateSerializerWithIdentity (lists) and WritableNestedFeatureStateSerializer.
    (
        "listed_state",
        "state_fields with {feature_state_value: any, identity: {id: int, identifier: str}?}",
    ),
    (
        "typed_state",
        "state_fields with {feature_state_value: typed_value, identity: int?}",
    ),
    // features/feature_segments/serializers.py FeatureSegmentListSerializer.
    (
        "feature_segment",
        "{id: int, uuid: str, segment: int, priority: int, environment: int, segment_name: str,
          is_feature_specific: bool}",
    ),
    // environments/identities/serializers.py IdentityAllFeatureStatesSerializer.
    (
        "identity_flag",
        "{feature: {id: int, name: str, type: str}, enabled: bool, feature_state_value: any,
          overridden_by: str?, segment: {id: int, name: str}?,
          multivariate_feature_state_values: [{multivariate_feature_option: {value: any},
                                               percentage_allocation: num}]}",
    ),
    // users/serializers.py UserListSerializer with the organisation in its context.
    ("member", "user with {role: str, date_joined: time}"),
    // users/serializers.py: group members as lists show them, and as one group shows them.
    (
        "group_member",
        "{id: int, email: str, first_name: str, last_name: str, last_login: time?,
          group_admin: bool}",
    ),
    (
        "group",
        "{id: int, name: str, users: [group_member], is_default: bool, external_id: str?}",
    ),
    ("group_summary", "{id: int, name: str}"),
    // organisations/serializers.py OrganisationSerializerFull; the subscription's billing
    // fields are left out here (no billing), and `stop_serving_flags` is ours.
    (
        "organisation",
        "{id: int, uuid: str, name: str, created_date: time, webhook_notification_email: str?,
          num_seats: int, role: str, persist_trait_data: bool, block_access_to_admin: bool,
          restrict_project_create_to_admin: bool, force_2fa: bool, +stop_serving_flags: bool,
          subscription: {id?: int, uuid?: str, subscription_id?: str?,
                         subscription_date?: time?, plan: str?, max_seats: int,
                         max_api_calls: int, cancellation_date: time?, customer_id?: str?,
                         billing_status?: str?, payment_method?: str?, notes?: str?,
                         has_active_billing_periods?: bool}}",
    ),
    // audit/serializers.py AuditLogListSerializer (environments light, projects as listed),
    // and AuditLogRetrieveSerializer. Ours name the organisation API key that made a change
    // (upstream shows no author then), and lists carry what changed, so the dashboard needs
    // no request per entry.
    (
        "audit_fields",
        "{id: int, created_date: time, log: str, author: user?, environment: env_light?,
          project: project?, related_object_id: int?, related_object_uuid: str?,
          related_object_type: str?, is_system_event: bool, +master_api_key: int?}",
    ),
    (
        "audit_entry",
        "audit_fields with {+change_details: [{field: str, old: any, new: any}],
          +change_type: str}",
    ),
    (
        "audit_detail",
        "audit_fields with {change_details: [{field: str, old: any, new: any}],
          change_type: str}",
    ),
    // permissions/serializers.py UserObjectPermissionsSerializer.
    (
        "my_permissions",
        "{permissions: [str], admin: bool, tag_based_permissions: [any]}",
    ),
    // permissions/serializers.py PermissionModelSerializer.
    (
        "permission_key",
        "{key: str, description: str, supports_tag: bool}",
    ),
    // permissions/serializers.py UserDetailedPermissionsSerializer.
    (
        "derived_from",
        "{groups: [{id: int, name: str}], roles: [any]}",
    ),
    (
        "detailed_permissions",
        "{admin: bool, is_directly_granted: bool, derived_from: derived_from,
          permissions: [{permission_key: str, is_directly_granted: bool,
                         derived_from: derived_from}]}",
    ),
    // users/serializers.py UserPermissionGroupSerializer: members by id.
    (
        "group_ids",
        "{id: int, name: str, users: [int], is_default: bool, external_id: str?}",
    ),
    // organisations/serializers.py OrganisationWebhookSerializer; ours keep a name to tell
    // webhooks apart in the dashboard.
    (
        "org_webhook",
        "{id: int, url: str, enabled: bool, secret: str, created_at: time, updated_at: time,
          +name: str}",
    ),
    // api_keys/serializers.py MasterAPIKeySerializer (`key` only when created; the id is
    // djangorestframework-api-key's text id, prefix and hash).
    (
        "master_key",
        "{id: str, prefix: str, created: time, name: str, revoked: bool, expiry_date: time?,
          key: str?, is_admin: bool, has_expired: bool, created_by: int?}",
    ),
    // organisations/invites/serializers.py InviteLinkSerializer.
    (
        "invite_link",
        "{id: int, hash: str, date_created: time, role: str, expires_at: time?}",
    ),
    // organisations/invites/serializers.py InviteListSerializer; ours add the role and the
    // join link (no email is sent here: the link is handed over).
    (
        "invite",
        "{id: int, email: str, date_created: time, invited_by: member?,
          permission_groups: [int], +role: str, +link: str}",
    ),
];

/// `METHOD /path` and upstream's shape of its answer.
pub const SHAPES: &[(&str, &str)] = &[
    // Projects (projects/views.py): plain lists; retrieve adds limits and totals.
    ("GET /api/v1/projects/", "[project]"),
    ("POST /api/v1/projects/", "project"),
    ("GET /api/v1/projects/get-by-uuid/{uuid}/", "project"),
    (
        "GET /api/v1/projects/{id}/",
        "project with {max_segments_allowed: int, max_features_allowed: int,
          max_segment_overrides_allowed: int, total_features: int, total_segments: int}",
    ),
    ("GET /api/v1/projects/{id}/environments/", "[env_light]"),
    // Tags (projects/tags/views.py): a page of 10 upstream.
    ("GET /api/v1/projects/{project}/tags/", "page(tag)"),
    ("POST /api/v1/projects/{project}/tags/", "tag"),
    ("GET /api/v1/projects/{project}/tags/{id}/", "tag"),
    (
        "GET /api/v1/projects/{project}/tags/get-by-uuid/{uuid}/",
        "tag",
    ),
    // Segments (segments/views.py): pages of 999.
    ("GET /api/v1/projects/{project}/segments/", "page(segment)"),
    ("POST /api/v1/projects/{project}/segments/", "segment"),
    ("GET /api/v1/projects/{project}/segments/{id}/", "segment"),
    (
        "POST /api/v1/projects/{project}/segments/{id}/clone/",
        "segment",
    ),
    ("GET /api/v1/segments/get-by-uuid/{uuid}/", "segment"),
    // features/serializers.py SegmentAssociatedFeatureStateSerializer.
    (
        "GET /api/v1/projects/{project}/segments/{id}/associated-features/",
        "page({id: int, feature: int, environment: int?})",
    ),
    // segments/serializers.py SegmentMembersResponseSerializer.
    (
        "GET /api/v1/projects/{project}/segments/{id}/members/",
        "{results: [{identifier: str, identity_key: str, traits: map(any)?}], next_cursor: str?}",
    ),
    // Environments (environments/views.py): a page; retrieve adds total_segment_overrides.
    ("GET /api/v1/environments/", "page(environment)"),
    ("POST /api/v1/environments/", "environment"),
    (
        "GET /api/v1/environments/{api_key}/",
        "environment with {total_segment_overrides: int}",
    ),
    (
        "GET /api/v1/environments/get-by-uuid/{uuid}/",
        "environment",
    ),
    (
        "GET /api/v1/environments/{api_key}/api-keys/",
        "[server_key]",
    ),
    (
        "POST /api/v1/environments/{api_key}/api-keys/",
        "server_key",
    ),
    // environments/serializers.py CloneEnvironmentSerializer.
    (
        "POST /api/v1/environments/{api_key}/clone/",
        "{id: int, name: str, api_key: str, project: int}",
    ),
    (
        "GET /api/v1/environments/{api_key}/webhooks/",
        "[env_webhook]",
    ),
    (
        "POST /api/v1/environments/{api_key}/webhooks/",
        "env_webhook",
    ),
    // Identities and their traits, SQL identities (environments/identities/views.py).
    (
        "GET /api/v1/environments/{api_key}/identities/",
        "page(identity)",
    ),
    (
        "POST /api/v1/environments/{api_key}/identities/",
        "identity",
    ),
    (
        "GET /api/v1/environments/{api_key}/identities/{id}/",
        "identity",
    ),
    (
        "GET /api/v1/environments/{api_key}/identities/{id}/traits/",
        "page(trait)",
    ),
    (
        "POST /api/v1/environments/{api_key}/identities/{id}/traits/",
        "trait",
    ),
    (
        "GET /api/v1/environments/{api_key}/identities/{id}/traits/{trait_id}/",
        "trait",
    ),
    // Features (features/views.py): pages of 999. Create answers what the list answers,
    // with code_references_counts too (upstream's fresh instance lacks the annotation); the
    // lookup by uuid answers the whole feature where upstream answers CreateFeatureSerializer.
    ("GET /api/v1/projects/{project}/features/", "page(feature)"),
    (
        "POST /api/v1/projects/{project}/features/",
        "feature_base with {metadata: [any], +code_references_counts: [any]}",
    ),
    ("GET /api/v1/projects/{project}/features/{id}/", "feature"),
    (
        "GET /api/v1/features/get-by-uuid/{uuid}/",
        "feature_base with {+metadata: [any], +code_references_counts: [any]}",
    ),
    // The owner actions (features/views.py).
    (
        "POST /api/v1/projects/{project}/features/{id}/add-owners/",
        "owned_feature",
    ),
    (
        "POST /api/v1/projects/{project}/features/{id}/remove-owners/",
        "owned_feature",
    ),
    (
        "POST /api/v1/projects/{project}/features/{id}/add-group-owners/",
        "owned_feature",
    ),
    (
        "POST /api/v1/projects/{project}/features/{id}/remove-group-owners/",
        "owned_feature",
    ),
    // features/serializers.py FeatureEvaluationDataSerializer.
    (
        "GET /api/v1/projects/{project}/features/{id}/evaluation-data/",
        "[{day: date, count: int, labels: {client_application_name: str?,
           client_application_version: str?, user_agent: str?}?}]",
    ),
    // Multivariate options (features/multivariate/views.py): a page of 10 upstream.
    (
        "GET /api/v1/projects/{project}/features/{feature}/mv-options/",
        "page(mv_option)",
    ),
    (
        "POST /api/v1/projects/{project}/features/{feature}/mv-options/",
        "mv_option",
    ),
    (
        "GET /api/v1/projects/{project}/features/{feature}/mv-options/{id}/",
        "mv_option",
    ),
    (
        "GET /api/v1/multivariate/options/get-by-uuid/{uuid}/",
        "mv_option",
    ),
    // features/featurestates/ (features/views.py): values as typed columns.
    ("GET /api/v1/features/featurestates/", "page(typed_state)"),
    ("POST /api/v1/features/featurestates/", "typed_state"),
    (
        "GET /api/v1/features/featurestates/get-by-uuid/{uuid}/",
        "typed_state",
    ),
    // Segment overrides' containers (features/feature_segments/views.py).
    (
        "GET /api/v1/features/feature-segments/",
        "page(feature_segment)",
    ),
    (
        "POST /api/v1/features/feature-segments/",
        "{id: int, uuid: str, feature: int, segment: int, environment: int, priority: int}",
    ),
    (
        "GET /api/v1/features/feature-segments/{id}/",
        "feature_segment",
    ),
    (
        "GET /api/v1/features/feature-segments/get-by-uuid/{uuid}/",
        "feature_segment",
    ),
    (
        "POST /api/v1/features/feature-segments/update-priorities/",
        "[feature_segment]",
    ),
    // An environment's states (features/views.py BaseFeatureStateViewSet): lists name the
    // identity, create and retrieve answer its id.
    (
        "GET /api/v1/environments/{api_key}/featurestates/",
        "page(listed_state)",
    ),
    (
        "POST /api/v1/environments/{api_key}/featurestates/",
        "state",
    ),
    (
        "GET /api/v1/environments/{api_key}/featurestates/{id}/",
        "state",
    ),
    // features/serializers.py CustomCreateSegmentOverrideFeatureStateSerializer.
    (
        "POST /api/v1/environments/{api_key}/features/{feature}/create-segment-override/",
        "{id: int, feature: int, enabled: bool, feature_state_value: typed_value,
          feature_segment: {id: int, segment: int, priority: int, uuid: str}?,
          deleted_at: time?, uuid: str, created_at: time, updated_at: time, live_from: time?,
          environment: int?, identity: int?, change_request: int?,
          multivariate_feature_state_values: [mv_state_value]}",
    ),
    // An identity's overrides (features/views.py IdentityFeatureStateViewSet).
    (
        "GET /api/v1/environments/{api_key}/identities/{identity}/featurestates/",
        "page(listed_state)",
    ),
    (
        "POST /api/v1/environments/{api_key}/identities/{identity}/featurestates/",
        "state",
    ),
    (
        "GET /api/v1/environments/{api_key}/identities/{identity}/featurestates/{id}/",
        "state",
    ),
    (
        "GET /api/v1/environments/{api_key}/identities/{identity}/featurestates/all/",
        "[identity_flag]",
    ),
    (
        "POST /api/v1/environments/{api_key}/identities/{identity}/featurestates/clone-from-given-identity/",
        "[identity_flag]",
    ),
    // Organisations (organisations/views.py): a page of 10 upstream.
    ("GET /api/v1/organisations/", "page(organisation)"),
    ("POST /api/v1/organisations/", "organisation"),
    ("GET /api/v1/organisations/{id}/", "organisation"),
    (
        "GET /api/v1/organisations/get-by-uuid/{uuid}/",
        "organisation",
    ),
    ("GET /api/v1/organisations/{id}/projects/", "[project]"),
    ("GET /api/v1/organisations/{id}/users/", "[member]"),
    (
        "POST /api/v1/organisations/{id}/users/{user_id}/update-role/",
        "member",
    ),
    // users/serializers.py UserIdSerializer(many=True).
    (
        "POST /api/v1/organisations/{id}/remove-users/",
        "[{id: int}]",
    ),
    ("GET /api/v1/organisations/permissions/", "[permission_key]"),
    (
        "GET /api/v1/organisations/{id}/my-permissions/",
        "my_permissions",
    ),
    // Groups (users/views.py UserPermissionGroupViewSet).
    ("GET /api/v1/organisations/{org}/groups/", "page(group)"),
    ("POST /api/v1/organisations/{org}/groups/", "group"),
    ("GET /api/v1/organisations/{org}/groups/{id}/", "group"),
    (
        "GET /api/v1/organisations/{org}/groups/my-groups/",
        "page(group_summary)",
    ),
    (
        "GET /api/v1/organisations/{org}/groups/summaries/",
        "[group_summary]",
    ),
    (
        "POST /api/v1/organisations/{org}/groups/{id}/add-users/",
        "group",
    ),
    (
        "POST /api/v1/organisations/{org}/groups/{id}/remove-users/",
        "group",
    ),
    // Invites (organisations/invites/views.py): POST invite/ answers InviteSerializer.
    (
        "POST /api/v1/organisations/{org}/invite/",
        "[{id: int, email: str, role: str, date_created: time, permission_groups: [int],
           +invited_by: member?, +link: str}]",
    ),
    ("GET /api/v1/organisations/{org}/invites/", "page(invite)"),
    ("GET /api/v1/organisations/{org}/invites/{id}/", "invite"),
    (
        "GET /api/v1/organisations/{org}/invite-links/",
        "[invite_link]",
    ),
    (
        "POST /api/v1/organisations/{org}/invite-links/",
        "invite_link",
    ),
    // Master API keys (api_keys/views.py).
    (
        "GET /api/v1/organisations/{id}/master-api-keys/",
        "page(master_key)",
    ),
    (
        "POST /api/v1/organisations/{id}/master-api-keys/",
        "master_key",
    ),
    (
        "GET /api/v1/organisations/{id}/master-api-keys/{prefix}/",
        "master_key",
    ),
    // Organisation webhooks (organisations/views.py OrganisationWebhookViewSet).
    (
        "GET /api/v1/organisations/{id}/webhooks/",
        "page(org_webhook)",
    ),
    ("POST /api/v1/organisations/{id}/webhooks/", "org_webhook"),
    (
        "GET /api/v1/organisations/{id}/webhooks/{webhook}/",
        "org_webhook",
    ),
    // Audit logs (audit/views.py): retrieve adds the change's details.
    ("GET /api/v1/audit/", "page(audit_entry)"),
    ("GET /api/v1/organisations/{id}/audit/", "page(audit_entry)"),
    ("GET /api/v1/projects/{id}/audit/", "page(audit_entry)"),
    ("GET /api/v1/audit/{entry}/", "audit_detail"),
    (
        "GET /api/v1/organisations/{id}/audit/{entry}/",
        "audit_detail",
    ),
    ("GET /api/v1/projects/{id}/audit/{entry}/", "audit_detail"),
    // Grants: lists spell out the user (UserListSerializer) or the group; creating answers
    // ids. Organisation grants upstream carry no `admin` (admins are a role); ours do.
    (
        "GET /api/v1/organisations/{target}/user-permissions/",
        "[{id: int, user: user, permissions: [str], +admin: bool}]",
    ),
    (
        "POST /api/v1/organisations/{target}/user-permissions/",
        "{id: int, user: int, permissions: [str], +admin: bool}",
    ),
    (
        "GET /api/v1/organisations/{target}/user-group-permissions/",
        "[{id: int, group: group_ids, permissions: [str], +admin: bool}]",
    ),
    (
        "POST /api/v1/organisations/{target}/user-group-permissions/",
        "{id: int, group: int, permissions: [str], +admin: bool}",
    ),
    (
        "GET /api/v1/projects/{target}/user-permissions/",
        "[{id: int, user: user, permissions: [str], admin: bool}]",
    ),
    (
        "POST /api/v1/projects/{target}/user-permissions/",
        "{id: int, user: int, permissions: [str], admin: bool}",
    ),
    (
        "GET /api/v1/projects/{target}/user-group-permissions/",
        "[{id: int, group: group_ids, permissions: [str], admin: bool}]",
    ),
    (
        "POST /api/v1/projects/{target}/user-group-permissions/",
        "{id: int, group: int, permissions: [str], admin: bool}",
    ),
    (
        "GET /api/v1/environments/{target}/user-permissions/",
        "[{id: int, user: user, permissions: [str], admin: bool}]",
    ),
    (
        "POST /api/v1/environments/{target}/user-permissions/",
        "{id: int, user: int, permissions: [str], admin: bool}",
    ),
    (
        "GET /api/v1/environments/{target}/user-group-permissions/",
        "[{id: int, group: group, permissions: [str], admin: bool}]",
    ),
    (
        "POST /api/v1/environments/{target}/user-group-permissions/",
        "{id: int, group: int, permissions: [str], admin: bool}",
    ),
    ("GET /api/v1/projects/permissions/", "[permission_key]"),
    ("GET /api/v1/environments/permissions/", "[permission_key]"),
    (
        "GET /api/v1/projects/{id}/my-permissions/",
        "my_permissions",
    ),
    (
        "GET /api/v1/environments/{api_key}/my-permissions/",
        "my_permissions",
    ),
    (
        "GET /api/v1/organisations/{id}/user-detailed-permissions/{user_id}/",
        "detailed_permissions",
    ),
    (
        "GET /api/v1/projects/{project}/user-detailed-permissions/{user_id}/",
        "detailed_permissions",
    ),
    (
        "GET /api/v1/environments/{api_key}/user-detailed-permissions/{user_id}/",
        "detailed_permissions",
    ),
    // projects/views.py get_user_project_permissions (deprecated upstream).
    (
        "GET /api/v1/projects/{project}/all-user-permissions/{user_id}/",
        "my_permissions",
    ),
    // Accounts (djoser with custom_auth/serializers.py): the keys clients read; djoser adds
    // others by its settings.
    ("POST /api/v1/auth/login/", "{key: str}"),
    (
        "POST /api/v1/auth/users/",
        "{id: int, email: str, first_name: str, last_name: str, is_active: bool,
          marketing_consent_given: bool, uuid: str, key: str, ...}",
    ),
    (
        "GET /api/v1/auth/users/me/",
        "{id: int, email: str, first_name: str, last_name: str, auth_type: str,
          is_superuser: bool, date_joined: time, uuid: str, ...}",
    ),
];

/// Shared operations the table leaves out, and why.
pub const NOT_CHECKED: &[(&str, &str)] = &[
    (
        "POST /api/v1/organisations/{org}/groups/{id}/users/{user}/make-admin/",
        "upstream answers 200 with no body; ours answer the group",
    ),
    (
        "POST /api/v1/organisations/{org}/groups/{id}/users/{user}/remove-admin/",
        "upstream answers 200 with no body; ours answer the group",
    ),
    (
        "POST /api/v1/organisations/{org}/invites/{id}/resend/",
        "upstream answers 200 with no body; ours answer the invite with its link",
    ),
    (
        "POST /api/v1/auth/users/set_password/",
        "no body (204), as upstream",
    ),
    (
        "POST /api/v1/users/join/{hash}/",
        "the hash is a secret the table's set does not hold; tests/it/api/invites.rs joins",
    ),
    (
        "POST /api/v1/users/join/link/{hash}/",
        "the hash is a secret the table's set does not hold; tests/it/api/invites.rs joins",
    ),
    (
        "GET /api/v1/users/config/init/",
        "first run only (a page, not JSON); tests/it/api/install.rs",
    ),
    (
        "POST /api/v1/users/config/init/",
        "first run only (a form); tests/it/api/install.rs",
    ),
    (
        "POST /api/v1/webhooks/test/",
        "sends a test delivery; tests/it/api/webhooks.rs",
    ),
    (
        "GET /api/v1/organisations/{id}/webhooks/{webhook}/deliveries/",
        "ours only: upstream keeps no deliveries",
    ),
    (
        "GET /api/v1/environments/{api_key}/document/",
        "the environment document: the official SDKs read it (tests/sdk)",
    ),
    (
        "GET /api/v1/environment-document/",
        "SDK: the official SDKs read it (tests/sdk)",
    ),
    (
        "GET /api/v1/flags/",
        "SDK: the official SDKs read it (tests/sdk)",
    ),
    (
        "GET /api/v1/identities/",
        "SDK: the official SDKs read it (tests/sdk)",
    ),
    (
        "POST /api/v1/identities/",
        "SDK: the official SDKs read it (tests/sdk)",
    ),
    (
        "POST /api/v1/traits/",
        "SDK: the official SDKs read it (tests/sdk)",
    ),
    (
        "POST /api/v1/traits/increment-value/",
        "SDK: the official SDKs read it (tests/sdk)",
    ),
    ("POST /api/v1/analytics/flags/", "SDK: no body"),
    ("POST /api/v2/analytics/flags/", "SDK: no body"),
    (
        "GET /api/v1/environments/{api_key}/webhooks/{id}/deliveries/",
        "ours only: upstream keeps no deliveries",
    ),
    (
        "POST /ofrep/v1/evaluate/flags",
        "OFREP: its own specification",
    ),
    (
        "POST /ofrep/v1/evaluate/flags/{key}",
        "OFREP: its own specification",
    ),
    ("GET /sse/environments/{key}/ofrep", "an event stream"),
    ("GET /sse/environments/{key}/stream", "an event stream"),
    ("GET /health/liveness/", "ours only"),
    ("GET /health/readiness/", "ours only"),
    ("GET /version/", "ours only"),
];

/// Lists the set answers empty, so their items go unchecked here, and where they are tested.
pub const EMPTY_LISTS: &[(&str, &str)] = &[(
    "GET /api/v1/projects/{project}/features/{id}/evaluation-data/",
    "no SDK has reported evaluations; tests/it/api/analytics.rs checks the items",
)];
