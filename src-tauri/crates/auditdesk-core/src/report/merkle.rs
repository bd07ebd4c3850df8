//! The Merkle tree hash of RFC 6962 §2.1 over the covered events' content
//! hashes: anyone holding the same events, in the same order, computes the
//! same root, and a changed, added or missing event changes it.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// MTH({}) = SHA-256(), MTH({d}) = SHA-256(0x00 ‖ d), and for n > 1
/// MTH(D[n]) = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])) with k the largest
/// power of two smaller than n.
pub fn root<T: AsRef<[u8]>>(leaves: &[T]) -> Hash {
    if leaves.is_empty() {
        return Sha256::digest([]).into();
    }
    let hashed: Vec<Hash> = leaves.iter().map(|d| leaf(d.as_ref())).collect();
    subtree(&hashed)
}

fn leaf(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

fn subtree(hashes: &[Hash]) -> Hash {
    if hashes.len() == 1 {
        return hashes[0];
    }
    let k = split(hashes.len());
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(subtree(&hashes[..k]));
    h.update(subtree(&hashes[k..]));
    h.finalize().into()
}

/// The largest power of two smaller than `n` (n ≥ 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inputs and roots of the Certificate Transparency reference tests
    /// for RFC 6962 trees of 1 to 8 leaves.
    const LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];
    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    #[test]
    fn matches_the_rfc_6962_reference_roots() {
        let leaves: Vec<Vec<u8>> = LEAVES.iter().map(|h| hex::decode(h).unwrap()).collect();
        for n in 1..=8 {
            assert_eq!(hex::encode(root(&leaves[..n])), ROOTS[n - 1], "{n} leaves");
        }
        assert_eq!(
            hex::encode(root::<Vec<u8>>(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn any_change_changes_the_root() {
        let leaves: Vec<[u8; 32]> = (0u8..100).map(|i| [i; 32]).collect();
        let base = root(&leaves);
        let mut altered = leaves.clone();
        altered[57][3] ^= 1;
        assert_ne!(root(&altered), base);
        assert_ne!(root(&leaves[..99]), base);
        let mut swapped = leaves.clone();
        swapped.swap(10, 11);
        assert_ne!(root(&swapped), base);
    }
}
