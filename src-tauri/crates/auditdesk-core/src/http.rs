//! HTTP clients. reqwest is built without a TLS crypto provider (its default,
//! aws-lc-rs, added ~2 MB to the desktop app); every client in the process
//! comes from here, so rustls's ring provider is installed before the first
//! one is built.

use reqwest::blocking::ClientBuilder;

/// A blocking client builder with TLS through rustls on ring.
pub fn client_builder() -> ClientBuilder {
    // Installing fails only when a provider is already in place: this
    // function's own earlier call, or an embedding app's choice.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
}

#[cfg(test)]
mod tests {
    #[test]
    fn builds_a_client_that_can_speak_tls() {
        let client = super::client_builder().build();
        assert!(client.is_ok(), "{client:?}");
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
