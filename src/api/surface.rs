//! Which part of the API a path belongs to: the SDK surface, sign-in, bulk writes or management.
//
// Which part of the API a request path belongs to, for the rules that differ between them
// (body limits, CORS, caching): the SDK surface, sign-in, bulk writes, or management.

/// The parts of the API whose edge rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// Environment-key routes the official SDKs call, browsers included.
    Sdk,
    /// The SDK's bulk trait write.
    SdkBulk,
    /// Sign-up, login, password changes, invites and the first-run form: no credentials yet.
    SignIn,
    /// Health checks.
    Health,
    /// The management API (a user's token or an organisation API key) and the API
    /// documentation.
    Management,
    /// Every path outside the API: the web dashboard's pages and files.
    Dashboard,
}

/// Where the API lives; every other path belongs to the dashboard.
const API_PREFIXES: &[&str] = &["/api", "/ofrep", "/health", "/version", "/sse", "/metrics"];

const SDK_PREFIXES: &[&str] = &[
    "/api/v1/flags",
    "/api/v1/identities",
    "/api/v1/traits",
    "/api/v1/environment-document",
    "/api/v1/analytics",
    "/api/v2/analytics",
    "/ofrep/",
    "/sse/",
];

const SIGN_IN_PREFIXES: &[&str] = &[
    "/api/v1/auth/login",
    "/api/v1/auth/users/set_password",
    "/api/v1/users/join",
    "/api/v1/users/config/init",
];

impl Surface {
    /// The surface of a request path; repeated slashes count as one, as in routing.
    pub fn of(path: &str) -> Surface {
        let normal;
        let path = if path.contains("//") {
            let mut collapsed = path.to_string();
            while collapsed.contains("//") {
                collapsed = collapsed.replace("//", "/");
            }
            normal = collapsed;
            normal.as_str()
        } else {
            path
        };
        let under = |prefix: &str| {
            path.strip_prefix(prefix).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with('/') || prefix.ends_with('/')
            })
        };
        if under("/api/v1/traits/bulk") {
            Surface::SdkBulk
        } else if SDK_PREFIXES.iter().any(|p| under(p)) {
            Surface::Sdk
        } else if SIGN_IN_PREFIXES.iter().any(|p| under(p))
            || path.trim_end_matches('/') == "/api/v1/auth/users"
        {
            Surface::SignIn
        } else if under("/health") || path.trim_end_matches('/') == "/version" {
            Surface::Health
        } else if API_PREFIXES.iter().any(|p| under(p)) {
            Surface::Management
        } else {
            Surface::Dashboard
        }
    }

    /// Whether browsers from any origin may call it (the browser SDKs do).
    pub fn is_public(self) -> bool {
        matches!(self, Surface::Sdk | Surface::SdkBulk | Surface::Health)
    }
}

#[cfg(test)]
mod tests {
    use super::Surface;

    #[test]
    fn paths_fall_into_their_surface() {
        assert_eq!(Surface::of("/api/v1/flags/"), Surface::Sdk);
        assert_eq!(Surface::of("/api/v1/identities/"), Surface::Sdk);
        assert_eq!(Surface::of("//api/v1/identities"), Surface::Sdk);
        assert_eq!(Surface::of("/ofrep/v1/evaluate/flags"), Surface::Sdk);
        assert_eq!(Surface::of("/api/v1/traits/increment-value/"), Surface::Sdk);
        assert_eq!(Surface::of("/api/v1/traits/bulk/"), Surface::SdkBulk);
        assert_eq!(Surface::of("/api/v1/auth/login/"), Surface::SignIn);
        assert_eq!(Surface::of("/api/v1/auth/users/"), Surface::SignIn);
        assert_eq!(Surface::of("/api/v1/auth/users/me/"), Surface::Management);
        assert_eq!(Surface::of("/api/v1/users/join/abc/"), Surface::SignIn);
        assert_eq!(Surface::of("/health/liveness/"), Surface::Health);
        assert_eq!(Surface::of("/api/v1/projects/"), Surface::Management);
        assert_eq!(Surface::of("/api/v1/flagsx/"), Surface::Management);
        assert_eq!(Surface::of("/metrics"), Surface::Management);
        // Realtime streams are opened by SDKs in browsers, from any origin.
        assert_eq!(Surface::of("/sse/environments/x/stream"), Surface::Sdk);
        assert_eq!(Surface::of("/"), Surface::Dashboard);
        assert_eq!(Surface::of("/projects/3/features"), Surface::Dashboard);
        assert_eq!(Surface::of("/apis"), Surface::Dashboard);
        assert_eq!(Surface::of("/static/index-abc.js"), Surface::Dashboard);
        assert_eq!(
            Surface::of("/api/v1/environments/abc/identities/"),
            Surface::Management
        );
    }
}
