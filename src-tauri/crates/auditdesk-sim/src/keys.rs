//! Key pairs for the simulator's clients: the demo source's own, and the
//! tests'. RSA 2048 for RS384 (Redox's default), P-384 for ES384.

use p384::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _, LineEnding};
use rsa::pkcs1::EncodeRsaPrivateKey as _;

#[derive(Clone)]
pub struct KeyPair {
    /// PKCS#8 PEM.
    pub private_pem: String,
    /// The same RSA key as PKCS#1 PEM (None for EC keys).
    pub private_pkcs1_pem: Option<String>,
    /// SubjectPublicKeyInfo PEM: what a Redox user uploads.
    pub public_pem: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public_pem", &self.public_pem)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("key generation failed: {0}")]
pub struct KeyError(String);

pub fn generate_rsa() -> Result<KeyPair, KeyError> {
    let mut rng = rand::rngs::OsRng;
    let private = rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|e| KeyError(e.to_string()))?;
    let public = rsa::RsaPublicKey::from(&private);
    Ok(KeyPair {
        private_pem: private
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError(e.to_string()))?
            .to_string(),
        private_pkcs1_pem: Some(
            private
                .to_pkcs1_pem(LineEnding::LF)
                .map_err(|e| KeyError(e.to_string()))?
                .to_string(),
        ),
        public_pem: public
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError(e.to_string()))?,
    })
}

pub fn generate_p384() -> Result<KeyPair, KeyError> {
    let secret = p384::SecretKey::random(&mut rand::rngs::OsRng);
    Ok(KeyPair {
        private_pem: secret
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError(e.to_string()))?
            .to_string(),
        private_pkcs1_pem: None,
        public_pem: secret
            .public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError(e.to_string()))?,
    })
}
