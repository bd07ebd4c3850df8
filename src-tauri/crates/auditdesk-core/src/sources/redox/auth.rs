//! Client credentials with a signed JWT assertion (DESIGN §2.1): `kid` in the
//! header, RS384 (or ES384 for EC keys), `iss` = `sub` = client id, `aud` =
//! the token URL, a fresh `iat`/`exp`/random `jti` for every assertion.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use super::RemoteError;

/// Assertions live this long; Redox refuses an `iat` older than 5 minutes.
const ASSERTION_LIFETIME_S: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum KeyAlgorithm {
    RS384,
    ES384,
}

/// Signs assertions for one client. The key is parsed once.
pub struct Signer {
    key: EncodingKey,
    algorithm: KeyAlgorithm,
    key_id: String,
    client_id: String,
    audience: String,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    jti: String,
}

impl Signer {
    /// Reads a PEM private key: RSA in PKCS#8 or PKCS#1 (RS384), P-384 EC in
    /// PKCS#8 or SEC1 (ES384).
    pub fn new(
        pem: &str,
        key_id: &str,
        client_id: &str,
        token_url: &str,
    ) -> Result<Signer, RemoteError> {
        let (key, algorithm) = parse_key(pem)?;
        if key_id.trim().is_empty() {
            return Err(RemoteError::Key(
                "a key id (kid) is required by Redox".into(),
            ));
        }
        Ok(Signer {
            key,
            algorithm,
            key_id: key_id.to_string(),
            client_id: client_id.to_string(),
            audience: token_url.to_string(),
        })
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// A new assertion: new `iat`, `exp` and `jti` every call.
    pub fn assertion(&self) -> Result<String, RemoteError> {
        let mut header = Header::new(match self.algorithm {
            KeyAlgorithm::RS384 => Algorithm::RS384,
            KeyAlgorithm::ES384 => Algorithm::ES384,
        });
        header.kid = Some(self.key_id.clone());
        let iat = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: &self.client_id,
            sub: &self.client_id,
            aud: &self.audience,
            iat,
            exp: iat + ASSERTION_LIFETIME_S,
            jti: random_jti()?,
        };
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| RemoteError::Key(format!("cannot sign the assertion: {e}")))
    }
}

/// 128 random bits as a UUID-shaped string.
fn random_jti() -> Result<String, RemoteError> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| RemoteError::Key(format!("no randomness for the jti: {e}")))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = hex::encode(bytes);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

fn parse_key(pem: &str) -> Result<(EncodingKey, KeyAlgorithm), RemoteError> {
    let pem = pem.trim();
    let label = pem
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("-----BEGIN "))
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or_else(|| {
            RemoteError::Key(
                "not a PEM private key (expected a line like -----BEGIN PRIVATE KEY-----)".into(),
            )
        })?;
    match label {
        "RSA PRIVATE KEY" => EncodingKey::from_rsa_pem(pem.as_bytes())
            .map(|k| (k, KeyAlgorithm::RS384))
            .map_err(|e| RemoteError::Key(format!("PKCS#1 RSA key: {e}"))),
        "PRIVATE KEY" => {
            if let Ok(key) = EncodingKey::from_rsa_pem(pem.as_bytes()) {
                return Ok((key, KeyAlgorithm::RS384));
            }
            p384_key(pem, false)
        }
        "EC PRIVATE KEY" => p384_key(pem, true),
        other => Err(RemoteError::Key(format!(
            "a PEM {other:?} is not a private key (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)"
        ))),
    }
}

/// ES384 needs a P-384 key; SEC1 PEMs are rewrapped as PKCS#8 for the signer.
fn p384_key(pem: &str, sec1: bool) -> Result<(EncodingKey, KeyAlgorithm), RemoteError> {
    use p384::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
    let secret = if sec1 {
        p384::SecretKey::from_sec1_pem(pem)
            .map_err(|e| RemoteError::Key(format!("SEC1 EC key (P-384 expected): {e}")))?
    } else {
        p384::SecretKey::from_pkcs8_pem(pem).map_err(|_| {
            RemoteError::Key(
                "PKCS#8 key is neither RSA nor P-384 EC (Redox accepts RS384 and ES384)".into(),
            )
        })?
    };
    let der = secret
        .to_pkcs8_der()
        .map_err(|e| RemoteError::Key(format!("EC key: {e}")))?;
    Ok((
        EncodingKey::from_ec_der(der.as_bytes()),
        KeyAlgorithm::ES384,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    const EC_SEC1: &str = "-----BEGIN EC PRIVATE KEY-----
MIGkAgEBBDDTJzc72exdCG30wEyWqd4VMSYlPS1WLI9tajeB0ZslLel1RHNzEGnM
y6itjwLt37WgBwYFK4EEACKhZANiAAQ7WHpNtvrJWqG1kx4YbChsVOBx07Suf5L5
UiCF/RbfQwtzOZEs7ofWrkBLnqM616GA16sVDKeYc5wEhT5ur9fwYYGFYSp6q+z2
DctsD11ms69nAFpb6YaSAC1RTTXu3Xg=
-----END EC PRIVATE KEY-----";

    fn claims(token: &str) -> (serde_json::Value, serde_json::Value) {
        let mut parts = token.split('.');
        let decode = |p: &str| -> serde_json::Value {
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .unwrap();
            serde_json::from_slice(&bytes).unwrap()
        };
        let header = decode(parts.next().unwrap());
        let body = decode(parts.next().unwrap());
        (header, body)
    }

    #[test]
    fn a_sec1_p384_key_signs_es384_with_every_claim() {
        let signer = Signer::new(EC_SEC1, "kid-1", "client-9", "http://h/v2/auth/token").unwrap();
        assert_eq!(signer.algorithm(), KeyAlgorithm::ES384);
        let a = signer.assertion().unwrap();
        let b = signer.assertion().unwrap();
        let (header, body) = claims(&a);
        assert_eq!(header["alg"], "ES384");
        assert_eq!(header["kid"], "kid-1");
        assert_eq!(body["iss"], "client-9");
        assert_eq!(body["sub"], "client-9");
        assert_eq!(body["aud"], "http://h/v2/auth/token");
        let iat = body["iat"].as_i64().unwrap();
        assert_eq!(body["exp"].as_i64().unwrap(), iat + 300);
        assert!((chrono::Utc::now().timestamp() - iat).abs() < 5);
        assert_ne!(
            claims(&b).1["jti"],
            body["jti"],
            "a fresh jti per assertion"
        );
    }

    #[test]
    fn bad_keys_are_named() {
        let e = Signer::new("hello", "k", "c", "a")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("not a PEM private key"), "{e}");
        let e = Signer::new(
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "k",
            "c",
            "a",
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("not a private key"), "{e}");
        let e = Signer::new(EC_SEC1, " ", "c", "a")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("kid"), "{e}");
    }
}
