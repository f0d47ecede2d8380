//! TLS to PostgreSQL through rustls: libpq's `sslmode`, `sslrootcert`, `sslcert` and `sslkey`.
//
// TLS to PostgreSQL through rustls (ring): libpq's `sslmode`, `sslrootcert`, `sslcert` and `sslkey`.
//
// | sslmode | TLS | the server's certificate |
// |---|---|---|
// | `disable` | never | — |
// | `allow`, `prefer` (the default) | when the server offers it | not checked |
// | `require` | always | not checked, unless a CA file is given: then as `verify-ca` |
// | `verify-ca` | always | signed by a trusted CA |
// | `verify-full` | always | signed by a trusted CA and made out to the host name connected to |
//
// Trusted CAs are the system's (`/etc/ssl/certs`) plus the CA file (`sslrootcert` in the URL,
// else the `database_ca_file` setting); `sslrootcert=system` means the system's alone.

use crate::store::ConnectError;
use percent_encoding::percent_decode_str;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// How the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// The TLS parameters of a PostgreSQL URL, taken out of it (tokio-postgres knows only some).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    pub mode: Mode,
    /// `sslrootcert`: a PEM file of CA certificates, or `None`; `system` is `Some("system")`.
    pub root_cert: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
}

/// Splits `url` into the URL tokio-postgres parses (its `sslmode` one it knows) and the TLS
/// parameters.
pub fn split(url: &str) -> Result<(String, Tls), ConnectError> {
    let mut tls = Tls {
        mode: Mode::Prefer,
        root_cert: None,
        client_cert: None,
        client_key: None,
    };
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), tls));
    };
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = || -> Result<String, ConnectError> {
            percent_decode_str(value)
                .decode_utf8()
                .map(|v| v.into_owned())
                .map_err(|_| invalid(key, "is not UTF-8"))
        };
        match key {
            "sslmode" => {
                tls.mode = match decoded()?.as_str() {
                    "disable" => Mode::Disable,
                    "allow" | "prefer" => Mode::Prefer,
                    "require" => Mode::Require,
                    "verify-ca" => Mode::VerifyCa,
                    "verify-full" => Mode::VerifyFull,
                    other => {
                        return Err(invalid(
                            "sslmode",
                            &format!(
                                "{other:?} is not one of disable, allow, prefer, require, verify-ca, verify-full"
                            ),
                        ));
                    }
                }
            }
            "sslrootcert" => tls.root_cert = Some(PathBuf::from(decoded()?)),
            "sslcert" => tls.client_cert = Some(PathBuf::from(decoded()?)),
            "sslkey" => tls.client_key = Some(PathBuf::from(decoded()?)),
            // libpq's other TLS knobs have no meaning here; tokio-postgres would refuse them.
            "sslnegotiation"
            | "sslcompression"
            | "sslsni"
            | "sslcrl"
            | "sslcrldir"
            | "sslpassword"
            | "ssl_min_protocol_version"
            | "ssl_max_protocol_version" => {}
            _ => kept.push(pair),
        }
    }
    // tokio-postgres knows three modes; the checks of the other two are the connector's.
    match tls.mode {
        Mode::Prefer => {}
        Mode::Disable => kept.push("sslmode=disable"),
        Mode::Require | Mode::VerifyCa | Mode::VerifyFull => kept.push("sslmode=require"),
    }
    if kept.is_empty() {
        return Ok((base.to_string(), tls));
    }
    Ok((format!("{base}?{}", kept.join("&")), tls))
}

fn invalid(key: &str, why: &str) -> ConnectError {
    ConnectError::Other(format!("the PostgreSQL URL's {key} {why}"))
}

/// The connector for `tls`; `ca_file` is the `database_ca_file` setting, used when the URL
/// names no `sslrootcert`.
pub fn connector(tls: &Tls, ca_file: Option<&Path>) -> Result<MakeRustlsConnect, ConnectError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConnectError::Other(format!("cannot set up TLS: {e}")))?;
    let ca_file = tls.root_cert.as_deref().or(ca_file);
    let verify = match tls.mode {
        Mode::Disable | Mode::Prefer => false,
        Mode::Require => ca_file.is_some(),
        Mode::VerifyCa | Mode::VerifyFull => true,
    };
    let builder = if verify {
        let roots = Arc::new(roots(ca_file)?);
        let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
            .build()
            .map_err(|e| ConnectError::Other(format!("cannot set up TLS: {e}")))?;
        let verifier: Arc<dyn ServerCertVerifier> = if tls.mode == Mode::VerifyFull {
            webpki
        } else {
            Arc::new(AnyHostName(webpki))
        };
        builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(
                provider.signature_verification_algorithms,
            )))
    };
    let config = match (&tls.client_cert, &tls.client_key) {
        (None, None) => builder.with_no_client_auth(),
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| unreadable("sslcert", cert, &e.to_string()))?;
            if chain.is_empty() {
                return Err(unreadable("sslcert", cert, "it holds no certificate"));
            }
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| unreadable("sslkey", key, &e.to_string()))?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                ConnectError::Other(format!(
                    "the client certificate and key do not go together: {e}"
                ))
            })?
        }
        (Some(_), None) => {
            return Err(invalid("sslcert", "is given without sslkey"));
        }
        (None, Some(_)) => {
            return Err(invalid("sslkey", "is given without sslcert"));
        }
    };
    Ok(MakeRustlsConnect::new(config))
}

fn unreadable(key: &str, path: &Path, why: &str) -> ConnectError {
    ConnectError::Other(format!(
        "cannot read the PostgreSQL URL's {key} {}: {why}",
        path.display()
    ))
}

/// The system's CAs plus those in `ca_file` (`system` for the system's alone).
fn roots(ca_file: Option<&Path>) -> Result<RootCertStore, ConnectError> {
    let mut roots = RootCertStore::empty();
    let system = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(system.certs);
    if let Some(file) = ca_file.filter(|f| *f != Path::new("system")) {
        let certs = CertificateDer::pem_file_iter(file)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| {
                ConnectError::Other(format!(
                    "cannot read the PostgreSQL CA file {}: {e}",
                    file.display()
                ))
            })?;
        if certs.is_empty() {
            return Err(ConnectError::Other(format!(
                "the PostgreSQL CA file {} holds no certificate",
                file.display()
            )));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| {
                ConnectError::Other(format!(
                    "the PostgreSQL CA file {} holds a certificate rustls cannot use: {e}",
                    file.display()
                ))
            })?;
        }
    }
    Ok(roots)
}

/// One line an operator can act on when TLS to the server failed, or `None` when the failure
/// was not about TLS.
pub fn explain(error: &tokio_postgres::Error, host: &str, port: u16) -> Option<String> {
    let server = format!("PostgreSQL at {host}:{port}");
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        let found = e.downcast_ref::<rustls::Error>().or_else(|| {
            e.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(tls) = found {
            return Some(match tls {
                rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => format!(
                    "the certificate of {server} is not signed by a certificate authority this server trusts: give the CA's certificate with sslrootcert=PATH in the database URL or the database_ca_file setting"
                ),
                rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. },
                ) => format!(
                    "the certificate of {server} is not made out to the host name {host:?} (sslmode=verify-full checks it): connect by a name the certificate holds, or use sslmode=verify-ca"
                ),
                rustls::Error::InvalidCertificate(
                    CertificateError::Expired | CertificateError::ExpiredContext { .. },
                ) => format!("the certificate of {server} has expired"),
                rustls::Error::InvalidCertificate(other) => format!(
                    "the certificate of {server} was refused ({other:?}): if your own CA signed it, give the CA's certificate with sslrootcert=PATH in the database URL or the database_ca_file setting"
                ),
                other => format!("TLS with {server} failed: {other}"),
            });
        }
        cause = e.source();
    }
    let text = error.to_string();
    text.contains("server does not support TLS")
        .then(|| format!("{server} does not accept TLS, which the database URL's sslmode asks for"))
}

/// `verify-ca`: the chain is checked, the name in the certificate is not.
#[derive(Debug)]
struct AnyHostName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyHostName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // webpki checks the chain before the name: a name error means the chain is good.
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require` without a CA, as libpq: encrypted, the certificate not checked.
#[derive(Debug)]
struct Unchecked(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_parameters_come_out_of_the_url() {
        let (url, tls) = split(
            "postgres://u:p@db.example.com:5432/flags?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=x",
        )
        .unwrap();
        assert_eq!(
            url,
            "postgres://u:p@db.example.com:5432/flags?application_name=x&sslmode=require"
        );
        assert_eq!(tls.mode, Mode::VerifyFull);
        assert_eq!(tls.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        assert!(url.parse::<tokio_postgres::Config>().is_ok());
    }

    #[test]
    fn prefer_is_the_default_as_in_libpq() {
        let (url, tls) = split("postgres://u@h/d").unwrap();
        assert_eq!((url.as_str(), tls.mode), ("postgres://u@h/d", Mode::Prefer));
        let (url, tls) = split("postgres://u@h/d?sslmode=disable").unwrap();
        assert_eq!(
            (url.as_str(), tls.mode),
            ("postgres://u@h/d?sslmode=disable", Mode::Disable)
        );
    }

    #[test]
    fn an_unknown_sslmode_is_refused_naming_the_accepted_ones() {
        let error = split("postgres://u@h/d?sslmode=verify")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("sslmode") && error.contains("verify-full"),
            "{error}"
        );
    }

    #[test]
    fn a_client_certificate_needs_its_key() {
        let (_, tls) = split("postgres://u@h/d?sslcert=/c.pem").unwrap();
        let error = connector(&tls, None).err().unwrap().to_string();
        assert!(error.contains("sslcert is given without sslkey"), "{error}");
    }

    #[test]
    fn a_missing_ca_file_is_named() {
        let (_, tls) =
            split("postgres://u@h/d?sslmode=verify-ca&sslrootcert=/nope/ca.pem").unwrap();
        let error = connector(&tls, None).err().unwrap().to_string();
        assert!(error.contains("/nope/ca.pem"), "{error}");
    }
}
