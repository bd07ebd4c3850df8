//! A fixed-size set of event positions (indexes into `Columns`), one bit
//! each: a query's matches at a million events are 125 KiB, and AND, OR
//! and NOT are word-wise.

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    pub fn empty(len: usize) -> Bits {
        Bits {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    pub fn full(len: usize) -> Bits {
        let mut bits = Bits {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        bits.clear_tail();
        bits
    }

    /// The positions where `test` holds.
    pub fn from_fn(len: usize, mut test: impl FnMut(usize) -> bool) -> Bits {
        let mut bits = Bits::empty(len);
        for (w, word) in bits.words.iter_mut().enumerate() {
            let base = w * 64;
            let end = (base + 64).min(len);
            let mut out = 0u64;
            for i in base..end {
                out |= u64::from(test(i)) << (i - base);
            }
            *word = out;
        }
        bits
    }

    pub fn set(&mut self, i: usize) {
        if let Some(word) = self.words.get_mut(i / 64) {
            *word |= 1 << (i % 64);
        }
    }

    /// Sets `start..end`.
    pub fn set_range(&mut self, start: usize, end: usize) {
        let end = end.min(self.len);
        let mut i = start;
        while i < end {
            if i.is_multiple_of(64) && end - i >= 64 {
                self.words[i / 64] = u64::MAX;
                i += 64;
            } else {
                self.set(i);
                i += 1;
            }
        }
    }

    pub fn and(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    pub fn or(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    pub fn not(&mut self) {
        for a in &mut self.words {
            *a = !*a;
        }
        self.clear_tail();
    }

    pub fn count(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// Every set position, ascending.
    pub fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.ones_from(0)
    }

    /// Every set position below `end`, descending.
    pub fn ones_desc_below(&self, end: usize) -> impl Iterator<Item = usize> + '_ {
        let end = end.min(self.len);
        let last_word = end.div_ceil(64);
        self.words[..last_word]
            .iter()
            .enumerate()
            .rev()
            .flat_map(move |(w, &word)| {
                let keep = end - w * 64;
                let mut rest = if keep >= 64 {
                    word
                } else {
                    word & ((1u64 << keep) - 1)
                };
                std::iter::from_fn(move || {
                    if rest == 0 {
                        return None;
                    }
                    let bit = 63 - rest.leading_zeros() as usize;
                    rest &= !(1u64 << bit);
                    Some(w * 64 + bit)
                })
            })
    }

    /// Every set position from `start` on, ascending.
    pub fn ones_from(&self, start: usize) -> impl Iterator<Item = usize> + '_ {
        self.words
            .iter()
            .enumerate()
            .skip(start / 64)
            .flat_map(move |(w, &word)| {
                let mut rest = if w == start / 64 {
                    word & (u64::MAX << (start % 64))
                } else {
                    word
                };
                std::iter::from_fn(move || {
                    if rest == 0 {
                        return None;
                    }
                    let bit = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    Some(w * 64 + bit)
                })
            })
    }

    fn clear_tail(&mut self) {
        let used = self.len % 64;
        if used != 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1u64 << used) - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::Bits;

    proptest! {
        #[test]
        fn bits_behave_like_a_set(
            len in 0usize..300,
            a in prop::collection::vec(0usize..300, 0..60),
            b in prop::collection::vec(0usize..300, 0..60),
            range in (0usize..300, 0usize..300),
            cut in 0usize..310,
        ) {
            let a: Vec<usize> = a.into_iter().filter(|&i| i < len).collect();
            let b: Vec<usize> = b.into_iter().filter(|&i| i < len).collect();
            let set = |xs: &[usize]| {
                let mut bits = Bits::empty(len);
                xs.iter().for_each(|&i| bits.set(i));
                bits
            };
            let model = |f: &dyn Fn(usize) -> bool| (0..len).filter(|&i| f(i)).collect::<Vec<_>>();
            let (x, y) = (set(&a), set(&b));
            prop_assert_eq!(x.ones().collect::<Vec<_>>(), model(&|i| a.contains(&i)));
            let mut and = x.clone();
            and.and(&y);
            prop_assert_eq!(and.ones().collect::<Vec<_>>(), model(&|i| a.contains(&i) && b.contains(&i)));
            let mut or = x.clone();
            or.or(&y);
            prop_assert_eq!(or.ones().collect::<Vec<_>>(), model(&|i| a.contains(&i) || b.contains(&i)));
            let mut not = x.clone();
            not.not();
            prop_assert_eq!(not.count() as usize, len - model(&|i| a.contains(&i)).len());
            prop_assert_eq!(Bits::full(len).count() as usize, len);
            let mut r = Bits::empty(len);
            r.set_range(range.0, range.1);
            prop_assert_eq!(r.ones().collect::<Vec<_>>(), model(&|i| i >= range.0 && i < range.1));
            let mut desc: Vec<usize> = x.ones_desc_below(cut).collect();
            desc.reverse();
            prop_assert_eq!(desc, model(&|i| a.contains(&i) && i < cut));
            prop_assert_eq!(x.ones_from(cut).collect::<Vec<_>>(), model(&|i| a.contains(&i) && i >= cut));
            prop_assert_eq!(Bits::from_fn(len, |i| a.contains(&i)), x);
        }
    }
}
