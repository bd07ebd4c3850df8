//! The Merkle tree hash of RFC 6962 §2.1 over the covered events' content
//! hashes: anyone holding the same events, in the same order, computes the
//! same root, and a changed, added or missing event changes it.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// The reference form, for tests: the recursion as RFC 6962 writes it.
/// MTH({}) = SHA-256(), MTH({d}) = SHA-256(0x00 ‖ d), and for n > 1
/// MTH(D[n]) = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])) with k the largest
/// power of two smaller than n.
#[cfg(test)]
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

#[cfg(test)]
fn subtree(hashes: &[Hash]) -> Hash {
    if hashes.len() == 1 {
        return hashes[0];
    }
    let k = split(hashes.len());
    node_hash(&subtree(&hashes[..k]), &subtree(&hashes[k..]))
}

/// The same root built one leaf at a time in O(log n) memory: a report
/// streams a quarter's events (a million leaves) past it. It keeps the
/// perfect subtrees of the leaves so far, one per set bit of the count,
/// like a binary counter; RFC 6962's split (the largest power of two below
/// n) makes the whole tree those subtrees joined from the right.
#[derive(Debug, Default, Clone)]
pub struct Builder {
    /// (leaves below, subtree hash), largest first.
    stack: Vec<(u64, Hash)>,
    count: u64,
}

impl Builder {
    pub fn push(&mut self, data: &[u8]) {
        self.count += 1;
        let mut node = (1u64, leaf(data));
        while let Some(&(size, left)) = self.stack.last() {
            if size != node.0 {
                break;
            }
            self.stack.pop();
            node = (size * 2, node_hash(&left, &node.1));
        }
        self.stack.push(node);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn root(&self) -> Hash {
        let mut subtrees = self.stack.iter().rev();
        let Some(&(_, mut acc)) = subtrees.next() else {
            return Sha256::digest([]).into();
        };
        for (_, left) in subtrees {
            acc = node_hash(left, &acc);
        }
        acc
    }
}

fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two smaller than `n` (n ≥ 2).
#[cfg(test)]
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
    fn the_streaming_builder_gives_the_recursive_root_for_every_size() {
        let leaves: Vec<[u8; 32]> = (0u8..=200).map(|i| [i; 32]).collect();
        for n in 0..leaves.len() {
            let mut b = Builder::default();
            for l in &leaves[..n] {
                b.push(l);
            }
            assert_eq!(b.count(), n as u64);
            assert_eq!(b.root(), root(&leaves[..n]), "{n} leaves");
        }
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
