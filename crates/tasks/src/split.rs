//! The held-out split (docs/architecture.md, "The text contract"): a problem is held out iff the FNV-1a 64 hash
//! of its canonical question is 0 mod 20, so 5% of every problem space is never trained on.
//!
//! Generators use rejection sampling against this predicate, so `Split::Train` never yields a
//! held-out problem and `Split::Test` only yields held-out ones. A [`Partition`] records whether
//! each side is non-empty: when a space is so small that it has no held-out problem at all
//! (e.g. some 1-digit products), `Test` falls back to the whole space, and symmetrically for `Train`.

use rand::RngCore;

use crate::style::Split;

/// One in `HELD_OUT_MODULUS` problems is held out.
pub const HELD_OUT_MODULUS: u64 = 20;

/// Upper bound on rejection-sampling draws before a generator gives up and returns its last draw.
/// With a 5% acceptance rate the chance of reaching it is about 1e-2200.
pub(crate) const MAX_DRAWS: usize = 100_000;

/// FNV-1a, 64 bit: a stable, dependency-free hash (unlike `std`'s `DefaultHasher`).
///
/// ```
/// assert_eq!(deepthink_tasks::split::fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
/// assert_eq!(deepthink_tasks::split::fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
/// ```
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// Whether the problem with this canonical question text is in the held-out partition.
pub fn is_held_out_text(canonical_question: &str) -> bool {
    fnv1a64(canonical_question.as_bytes()).is_multiple_of(HELD_OUT_MODULUS)
}

/// Which sides of a problem space are non-empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Partition {
    pub has_train: bool,
    pub has_test: bool,
}

impl Partition {
    /// The assumption for spaces too large to enumerate: both sides exist.
    pub const BOTH: Partition = Partition { has_train: true, has_test: true };

    /// Whether a problem with this held-out status may be returned for `split`.
    pub fn admits(self, split: Split, held_out: bool) -> bool {
        match split {
            Split::Train => !held_out || !self.has_train,
            Split::Test => held_out || !self.has_test,
        }
    }
}

/// Draws until `held_out` of the draw fits `split` (see [`Partition::admits`]).
pub(crate) fn rejection_sample<T>(
    rng: &mut dyn RngCore,
    split: Split,
    partition: Partition,
    mut draw: impl FnMut(&mut dyn RngCore) -> T,
    held_out: impl Fn(&T) -> bool,
) -> T {
    let mut last = draw(rng);
    for _ in 0..MAX_DRAWS {
        if partition.admits(split, held_out(&last)) {
            break;
        }
        last = draw(rng);
    }
    last
}
