//! TLS for the server dialects, through rustls (no OpenSSL): the settings a connection's
//! options ask for, and what PostgreSQL's driver needs of them (MySQL's driver builds its own
//! rustls configuration from the same [`TlsSettings`]).
//!
//! The options are libpq's (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`, in URLs and in
//! `dialect_options`) and Sequelize's `dialectOptions.ssl` (`ssl: true`, or an object of
//! `require`, `rejectUnauthorized`, `ca`, `cert`, `key`; its keys come in as `ssl.require`,
//! …). As node-postgres and mysql2 connect, a connection uses no TLS unless one of them asks
//! for it.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{Error, Result};

/// How a connection uses TLS (libpq's `sslmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlsMode {
    /// No TLS.
    Disable,
    /// TLS when the server offers it, plain otherwise; the certificate is not checked.
    Prefer,
    /// TLS; the certificate is not checked (`rejectUnauthorized: false`).
    Require,
    /// TLS; the certificate must be signed by a trusted CA, for any host name.
    VerifyCa,
    /// TLS; the certificate must be signed by a trusted CA and name the host connected to
    /// (`ssl: true`, `rejectUnauthorized: true`).
    VerifyFull,
}

/// What a connection's options ask of TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TlsSettings {
    pub(crate) mode: TlsMode,
    /// PEM certificates of the CAs to trust instead of the built-in roots (webpki-roots).
    pub(crate) ca: Option<Vec<u8>>,
    /// The client's PEM certificate chain and key, for servers that ask for one.
    pub(crate) identity: Option<(Vec<u8>, Vec<u8>)>,
}

impl TlsSettings {
    /// Whether `key` is a TLS option, which the drivers leave to [`TlsSettings::from_options`].
    pub(crate) fn is_tls_option(key: &str) -> bool {
        matches!(
            key,
            "sslmode" | "sslrootcert" | "sslcert" | "sslkey" | "ssl"
        ) || key.starts_with("ssl.")
    }

    /// The TLS settings of a connection's options; `dialect` names the dialect in errors.
    /// Without `sslmode`, `ssl` (or any `ssl.…` key) asks for TLS, checked unless
    /// `ssl.rejectUnauthorized` is false, and so does a CA or client certificate given
    /// alone. `sslmode=require` with a CA checks the CA, as libpq does.
    pub(crate) fn from_options(dialect: &str, options: &[(String, String)]) -> Result<Self> {
        let bad = |message: String| Error::Config(format!("{dialect} TLS option {message}"));
        let flag = |key: &str, value: &str| match value {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(bad(format!("`{key}` must be true or false, not `{value}`"))),
        };
        let mut mode = None;
        let mut ssl = None;
        let mut reject_unauthorized = true;
        let (mut ca, mut cert, mut key) = (None, None, None);
        for (name, value) in options.iter().filter(|(k, _)| Self::is_tls_option(k)) {
            match name.as_str() {
                "sslmode" => mode = Some(parse_mode(value).ok_or_else(|| {
                    bad(format!(
                        "`sslmode` must be disable, prefer, require, verify-ca or verify-full, not `{value}`"
                    ))
                })?),
                "ssl" => ssl = Some(flag(name, value)?),
                "ssl.require" => {
                    if flag(name, value)? {
                        ssl = Some(true);
                    }
                }
                "ssl.rejectUnauthorized" => {
                    reject_unauthorized = flag(name, value)?;
                    ssl.get_or_insert(true);
                }
                "sslrootcert" | "ssl.ca" => ca = Some(pem(name, value).map_err(bad)?),
                "sslcert" | "ssl.cert" => cert = Some(pem(name, value).map_err(bad)?),
                "sslkey" | "ssl.key" => key = Some(pem(name, value).map_err(bad)?),
                _ => {
                    return Err(bad(format!(
                        "`{name}` is unknown (expected sslmode, sslrootcert, sslcert, sslkey, or \
                         ssl with require, rejectUnauthorized, ca, cert, key)"
                    )))
                }
            }
        }
        let identity = match (cert, key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => {
                return Err(bad(
                    "`sslcert` and `sslkey` (`ssl.cert`, `ssl.key`) go together".into(),
                ))
            }
        };
        let asked = ssl.unwrap_or(ca.is_some() || identity.is_some());
        let mode = match mode {
            Some(TlsMode::Require) if ca.is_some() => TlsMode::VerifyCa,
            Some(mode) => mode,
            None if !asked => TlsMode::Disable,
            None if reject_unauthorized => TlsMode::VerifyFull,
            None => TlsMode::Require,
        };
        Ok(TlsSettings { mode, ca, identity })
    }

    /// The trusted CAs: the given ones only, or else the built-in roots.
    fn roots(&self) -> Result<RootCertStore> {
        let mut roots = RootCertStore::empty();
        match &self.ca {
            Some(pem) => {
                for cert in certificates(pem, "CA")? {
                    roots
                        .add(cert)
                        .map_err(|e| Error::Tls(format!("the CA certificate: {e}")))?;
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        Ok(roots)
    }

    /// The rustls client configuration of these settings (not for [`TlsMode::Disable`]).
    pub(crate) fn client_config(&self) -> Result<rustls::ClientConfig> {
        // ring, as mysql_async is built with: rustls 0.23.48 deprecates its provider for
        // having no post-quantum key exchange, which neither server offers yet either.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config_error = |e: rustls::Error| Error::Tls(e.to_string());
        let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(config_error)?;
        let algorithms = provider.signature_verification_algorithms;
        let builder = match self.mode {
            TlsMode::VerifyFull => builder.with_root_certificates(self.roots()?),
            TlsMode::VerifyCa => {
                let chain = WebPkiServerVerifier::builder_with_provider(
                    Arc::new(self.roots()?),
                    Arc::clone(&provider),
                )
                .build()
                .map_err(|e| Error::Tls(e.to_string()))?;
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(AnyHostName(chain)))
            }
            TlsMode::Disable | TlsMode::Prefer | TlsMode::Require => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Unchecked(algorithms))),
        };
        match &self.identity {
            Some((cert, key)) => {
                let key = PrivateKeyDer::from_pem_slice(key)
                    .map_err(|e| Error::Tls(format!("the client key: {e}")))?;
                builder
                    .with_client_auth_cert(certificates(cert, "client")?, key)
                    .map_err(config_error)
            }
            None => Ok(builder.with_no_client_auth()),
        }
    }
}

/// libpq's `sslmode` values, and MySQL's `ssl-mode` spellings of them.
fn parse_mode(value: &str) -> Option<TlsMode> {
    Some(
        match value.to_ascii_lowercase().replace('_', "-").as_str() {
            "disable" | "disabled" => TlsMode::Disable,
            "prefer" | "preferred" | "allow" => TlsMode::Prefer,
            "require" | "required" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" | "verify-identity" => TlsMode::VerifyFull,
            _ => return None,
        },
    )
}

/// PEM text given inline (Sequelize passes the file's contents, `fs.readFileSync(…)`), or
/// read from the file a path names (libpq's `sslrootcert=path`).
fn pem(name: &str, value: &str) -> std::result::Result<Vec<u8>, String> {
    if value.contains("-----BEGIN") {
        return Ok(value.as_bytes().to_vec());
    }
    std::fs::read(value).map_err(|e| format!("`{name}`: cannot read {value}: {e}"))
}

/// The certificates of a PEM text; `what` names them in errors.
fn certificates(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::Tls(format!("the {what} certificate: {e}")))?;
    if certs.is_empty() {
        return Err(Error::Tls(format!(
            "the {what} certificate: no PEM certificate found"
        )));
    }
    Ok(certs)
}

/// The rustls error somewhere in `error`'s chain, also inside an I/O error (where the TLS
/// stream puts a failed handshake's error).
pub(crate) fn rustls_cause<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let inner = error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        if inner.is_some() {
            return inner;
        }
        next = error.source();
    }
    None
}

/// `verify-ca`: the chain must lead to a trusted CA; the name the certificate is for is not
/// looked at.
#[derive(Debug)]
struct AnyHostName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyHostName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
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
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `require` and `prefer`: the connection is encrypted, and the certificate taken as it is
/// (the handshake's signatures are still checked).
#[derive(Debug)]
struct Unchecked(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(options: &[(&str, &str)]) -> Result<TlsSettings> {
        let options: Vec<(String, String)> = (options.iter())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TlsSettings::from_options("postgres", &options)
    }

    #[test]
    fn modes_from_libpq_and_sequelize_options() {
        let mode = |options: &[(&str, &str)]| settings(options).unwrap().mode;
        assert_eq!(mode(&[]), TlsMode::Disable, "no TLS unless asked");
        assert_eq!(mode(&[("sslmode", "require")]), TlsMode::Require);
        assert_eq!(mode(&[("sslmode", "verify-full")]), TlsMode::VerifyFull);
        assert_eq!(mode(&[("sslmode", "VERIFY_IDENTITY")]), TlsMode::VerifyFull);
        assert_eq!(mode(&[("ssl", "true")]), TlsMode::VerifyFull);
        assert_eq!(mode(&[("ssl", "false")]), TlsMode::Disable);
        assert_eq!(
            mode(&[("ssl.require", "true"), ("ssl.rejectUnauthorized", "false")]),
            TlsMode::Require
        );
        assert_eq!(mode(&[("ssl.require", "true")]), TlsMode::VerifyFull);
        let ca = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
        assert_eq!(
            mode(&[("sslmode", "require"), ("sslrootcert", ca)]),
            TlsMode::VerifyCa
        );
        assert_eq!(mode(&[("ssl.ca", ca)]), TlsMode::VerifyFull);
    }

    #[test]
    fn bad_options_name_the_option() {
        let error = |options: &[(&str, &str)]| settings(options).unwrap_err().to_string();
        assert!(error(&[("sslmode", "sometimes")]).contains("`sslmode` must be"));
        assert!(error(&[("ssl", "yes")]).contains("`ssl` must be true or false"));
        assert!(error(&[("ssl.servername", "x")]).contains("`ssl.servername` is unknown"));
        assert!(error(&[("sslrootcert", "/nonexistent/ca.pem")])
            .contains("cannot read /nonexistent/ca.pem"));
        let cert = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
        assert!(error(&[("ssl.cert", cert)]).contains("go together"));
    }

    #[test]
    fn a_ca_that_is_no_certificate_is_a_tls_error() {
        let tls = settings(&[
            ("sslmode", "verify-full"),
            ("sslrootcert", "-----BEGIN NOTHING-----\n"),
        ])
        .unwrap();
        let error = tls.client_config().unwrap_err();
        assert!(
            matches!(&error, Error::Tls(m) if m.contains("CA certificate")),
            "{error}"
        );
    }
}
