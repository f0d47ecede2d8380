//! Use cases: the only callers of the store, checking access, validating and auditing.
//
// They check who may do what, validate, write the audit log through the store, and invalidate
// evaluation snapshots.

mod access;
mod accounts;
mod analytics;
mod api_keys;
mod audit;
mod bootstrap;
mod caller;
mod changes;
mod deliveries;
mod environments;
mod error;
mod feature_owners;
mod feature_states;
mod features;
mod grants;
mod groups;
mod health;
mod identities;
mod identity_cache;
mod identity_overrides;
mod invites;
mod mv_options;
mod ofrep;
mod organisations;
mod outage;
mod passwords;
mod priorities;
mod projects;
mod realtime;
mod sdk;
mod sdk_environment;
mod sdk_traits;
mod secrets;
mod segment_members;
mod segment_overrides;
mod segment_rules;
mod segments;
mod server_keys;
mod snapshot_source;
mod state_creation;
mod tags;
mod throttle;
mod user_permissions;
mod values;
mod webhooks;

use std::sync::Arc;
use std::time::Duration;

pub use access::Access;
pub use accounts::{Signup, valid_email};
pub use analytics::{Reporter, period_days};
pub use api_keys::IssuedKey;
pub use audit::{AuditScope, AuditView};
pub use bootstrap::Bootstrap;
pub use caller::Caller;
pub use deliveries::{Attempt, SIGNATURE_HEADER, Sending, signature};
pub use environments::EnvironmentPatch;
pub use error::{FieldErrors, Problem, ServiceError, ServiceResult};
pub use feature_states::{StateChange, StateFilter, StateView};
pub use features::{FeatureContext, FeatureDraft, FeatureView};
pub use grants::{GrantView, GranteeView};
pub use groups::GroupView;
pub use health::InstanceFacts;
pub use identity_overrides::{IdentityFlag, OverriddenBy};
pub use mv_options::MvOptionPatch;
pub use ofrep::{OfrepContext, OfrepFlag, ofrep_context};
pub use organisations::{OrganisationPatch, OrganisationView};
pub use outage::RETRY_AFTER_SECONDS;
pub use projects::ProjectPatch;
pub use realtime::Updates;
pub use sdk::{IdentityAnswer, TraitInput, TraitOutput, overlay};
pub use sdk_environment::SdkEnvironment;
pub use sdk_traits::{TraitItem, evaluation_traits};
pub use secrets::{hash_secret, new_token};
pub use segment_members::{Member, MembersPage, MembersQuery};
pub use segment_overrides::{FeatureSegmentView, SegmentOverrideDraft};
pub use segments::SegmentDraft;
pub use state_creation::StateDraft;
pub use tags::TagPatch;
pub use throttle::Rate;
pub use user_permissions::{Derivation, DetailedAccess};
pub use webhooks::{OrganisationWebhookPatch, TestScope};

use crate::clock::Clock;
use crate::snapshot::Snapshots;
use crate::store::{ChangeSink, Store};

/// The installation-wide rules that change what the use cases allow.
#[derive(Debug, Clone)]
pub struct Policy {
    pub allow_registration_without_invite: bool,
    pub prevent_signup: bool,
    pub restrict_org_create_to_superusers: bool,
    pub default_org_store_traits: bool,
    /// Failed logins (counted per lockout key) before the first lock.
    pub login_failure_limit: u32,
    /// Count failures and lock per account whatever the client address (upstream's
    /// `AXES_ONLY_USER_FAILURES=true`); when false, per (account, client address) pair.
    pub login_only_user_failures: bool,
    /// The longest lock: locks start at a minute and double up to this.
    pub login_lockout: Duration,
    /// Login attempts per client address.
    pub login_rate: Rate,
    /// Reverse proxies in front of the server (DRF's `NUM_PROXIES`): which
    /// `X-Forwarded-For` entry is the client; 0 means the TCP peer is.
    pub num_proxies: usize,
    /// How webhooks are sent.
    pub webhooks: deliveries::Sending,
    /// Identity states kept in memory for SDK requests; 0 reads each from the database.
    pub identity_cache_size: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            allow_registration_without_invite: true,
            prevent_signup: false,
            restrict_org_create_to_superusers: false,
            default_org_store_traits: true,
            login_failure_limit: 10,
            login_only_user_failures: false,
            login_lockout: Duration::from_secs(3600),
            login_rate: Rate {
                count: 20,
                per: Duration::from_secs(60),
            },
            num_proxies: 0,
            webhooks: deliveries::Sending::default(),
            identity_cache_size: 10_000,
        }
    }
}

/// The use cases, over one store.
pub struct Service {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    policy: Policy,
    login_throttle: throttle::Throttle,
    passwords: passwords::Passwords,
    snapshots: Arc<Snapshots>,
    outage: Arc<outage::Outage>,
    realtime: Arc<realtime::Realtime>,
    /// Wakes the webhook dispatcher.
    deliveries: Arc<tokio::sync::Notify>,
    /// Recently read identity states, for SDK requests.
    identities: Arc<identity_cache::IdentityCache>,
    /// Attached to the store, which holds it weakly: it lives as long as the service.
    _changes: Arc<dyn ChangeSink>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("store", &self.store.backend())
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Service {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, policy: Policy) -> Self {
        let login_throttle = throttle::Throttle::new(policy.login_rate);
        let source = Arc::new(snapshot_source::StoreSource::new(store.clone()));
        let snapshots = Arc::new(Snapshots::new(source));
        let realtime = Arc::new(realtime::Realtime::default());
        let deliveries = Arc::new(tokio::sync::Notify::new());
        let identities = Arc::new(identity_cache::IdentityCache::new(
            policy.identity_cache_size,
        ));
        let changes: Arc<dyn ChangeSink> = Arc::new(changes::Changes::new(
            snapshots.clone(),
            realtime.clone(),
            deliveries.clone(),
            identities.clone(),
        ));
        store.attach(&changes);
        Service {
            store,
            clock,
            policy,
            login_throttle,
            passwords: passwords::Passwords::sized_to_cores(),
            snapshots,
            outage: Arc::default(),
            realtime,
            deliveries,
            identities,
            _changes: changes,
        }
    }

    /// Notes that the database could not serve a request or task; the outage is reported once,
    /// watched, and reported again when it ends.
    pub fn database_unavailable(&self) {
        self.outage.refused(&self.store);
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The evaluation snapshots the SDK endpoints read.
    pub fn snapshots(&self) -> &Arc<Snapshots> {
        &self.snapshots
    }

    pub fn now(&self) -> crate::domain::Timestamp {
        self.clock.now()
    }
}
