//! `hash_value(StringRef)` of LLVM's ADT/Hashing.h, the hash of
//! `DenseMap<StringRef, ...>` keys: a CityHash-derived function over the
//! bytes, seeded with Hashing.h's fixed execution seed (LLVM as Debian
//! builds it has no ABI-breaking checks, so the seed is the constant, not
//! a per-process address). Short strings (up to 64 bytes) take one of five
//! length-specific mixes; longer ones run a 56-byte state over 64-byte
//! blocks, the last block ending at the string's end.

const SEED: u64 = 0xff51_afd7_ed55_8ccd;
const K0: u64 = 0xc3a5_c85c_97cb_3127;
const K1: u64 = 0xb492_b66f_be98_f273;
const K2: u64 = 0x9ae1_6a3b_2f90_404f;
const K3: u64 = 0xc949_d7c7_509e_6557;

fn fetch64(s: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(s[at..at + 8].try_into().expect("eight bytes"))
}

fn fetch32(s: &[u8], at: usize) -> u64 {
    u32::from_le_bytes(s[at..at + 4].try_into().expect("four bytes")) as u64
}

fn shift_mix(v: u64) -> u64 {
    v ^ (v >> 47)
}

fn hash_16(low: u64, high: u64) -> u64 {
    const MUL: u64 = 0x9ddf_ea08_eb38_2d69;
    let mut a = (low ^ high).wrapping_mul(MUL);
    a ^= a >> 47;
    let mut b = (high ^ a).wrapping_mul(MUL);
    b ^= b >> 47;
    b.wrapping_mul(MUL)
}

fn short(s: &[u8], seed: u64) -> u64 {
    let len = s.len();
    let n = len as u64;
    match len {
        0 => K2 ^ seed,
        1..=3 => {
            let y = s[0] as u32 + ((s[len >> 1] as u32) << 8);
            let z = len as u32 + ((s[len - 1] as u32) << 2);
            shift_mix((y as u64).wrapping_mul(K2) ^ (z as u64).wrapping_mul(K3) ^ seed)
                .wrapping_mul(K2)
        }
        4..=8 => hash_16(
            n.wrapping_add(fetch32(s, 0) << 3),
            seed ^ fetch32(s, len - 4),
        ),
        9..=16 => {
            let b = fetch64(s, len - 8);
            hash_16(
                seed ^ fetch64(s, 0),
                b.wrapping_add(n).rotate_right(len as u32),
            ) ^ b
        }
        17..=32 => {
            let a = fetch64(s, 0).wrapping_mul(K1);
            let b = fetch64(s, 8);
            let c = fetch64(s, len - 8).wrapping_mul(K2);
            let d = fetch64(s, len - 16).wrapping_mul(K0);
            hash_16(
                a.wrapping_sub(b)
                    .rotate_right(43)
                    .wrapping_add((c ^ seed).rotate_right(30))
                    .wrapping_add(d),
                a.wrapping_add((b ^ K3).rotate_right(20))
                    .wrapping_sub(c)
                    .wrapping_add(n)
                    .wrapping_add(seed),
            )
        }
        _ => {
            let mut z = fetch64(s, 24);
            let mut a =
                fetch64(s, 0).wrapping_add(n.wrapping_add(fetch64(s, len - 16)).wrapping_mul(K0));
            let mut b = a.wrapping_add(z).rotate_right(52);
            let mut c = a.rotate_right(37);
            a = a.wrapping_add(fetch64(s, 8));
            c = c.wrapping_add(a.rotate_right(7));
            a = a.wrapping_add(fetch64(s, 16));
            let vf = a.wrapping_add(z);
            let vs = b.wrapping_add(a.rotate_right(31)).wrapping_add(c);
            a = fetch64(s, 16).wrapping_add(fetch64(s, len - 32));
            z = fetch64(s, len - 8);
            b = a.wrapping_add(z).rotate_right(52);
            c = a.rotate_right(37);
            a = a.wrapping_add(fetch64(s, len - 24));
            c = c.wrapping_add(a.rotate_right(7));
            a = a.wrapping_add(fetch64(s, len - 16));
            let wf = a.wrapping_add(z);
            let ws = b.wrapping_add(a.rotate_right(31)).wrapping_add(c);
            let r = shift_mix(
                vf.wrapping_add(ws)
                    .wrapping_mul(K2)
                    .wrapping_add(wf.wrapping_add(vs).wrapping_mul(K0)),
            );
            shift_mix((seed ^ r.wrapping_mul(K0)).wrapping_add(vs)).wrapping_mul(K2)
        }
    }
}

/// The 56-byte state of strings longer than 64 bytes.
struct State([u64; 7]);

impl State {
    fn new(block: &[u8], seed: u64) -> State {
        let h4 = seed.wrapping_mul(K1);
        let h5 = shift_mix(seed);
        let mut state = State([
            0,
            seed,
            hash_16(seed, K1),
            (seed ^ K1).rotate_right(49),
            h4,
            h5,
            hash_16(h4, h5),
        ]);
        state.mix(block);
        state
    }

    /// Adds 32 bytes into the pair (a, b).
    fn mix_32(s: &[u8], a: &mut u64, b: &mut u64) {
        *a = a.wrapping_add(fetch64(s, 0));
        let c = fetch64(s, 24);
        *b = b.wrapping_add(*a).wrapping_add(c).rotate_right(21);
        let d = *a;
        *a = a.wrapping_add(fetch64(s, 8)).wrapping_add(fetch64(s, 16));
        *b = b.wrapping_add(a.rotate_right(44)).wrapping_add(d);
        *a = a.wrapping_add(c);
    }

    fn mix(&mut self, s: &[u8]) {
        let h = &mut self.0;
        h[0] = h[0]
            .wrapping_add(h[1])
            .wrapping_add(h[3])
            .wrapping_add(fetch64(s, 8))
            .rotate_right(37)
            .wrapping_mul(K1);
        h[1] = h[1]
            .wrapping_add(h[4])
            .wrapping_add(fetch64(s, 48))
            .rotate_right(42)
            .wrapping_mul(K1);
        h[0] ^= h[6];
        h[1] = h[1].wrapping_add(h[3]).wrapping_add(fetch64(s, 40));
        h[2] = h[2].wrapping_add(h[5]).rotate_right(33).wrapping_mul(K1);
        h[3] = h[4].wrapping_mul(K1);
        h[4] = h[0].wrapping_add(h[5]);
        let (mut h3, mut h4) = (h[3], h[4]);
        State::mix_32(&s[..32], &mut h3, &mut h4);
        (h[3], h[4]) = (h3, h4);
        h[5] = h[2].wrapping_add(h[6]);
        h[6] = h[1].wrapping_add(fetch64(s, 16));
        let (mut h5, mut h6) = (h[5], h[6]);
        State::mix_32(&s[32..64], &mut h5, &mut h6);
        (h[5], h[6]) = (h5, h6);
        h.swap(0, 2);
    }

    fn finish(&self, len: u64) -> u64 {
        let h = &self.0;
        hash_16(
            hash_16(h[3], h[5])
                .wrapping_add(shift_mix(h[1]).wrapping_mul(K1))
                .wrapping_add(h[2]),
            hash_16(h[4], h[6])
                .wrapping_add(shift_mix(len).wrapping_mul(K1))
                .wrapping_add(h[0]),
        )
    }
}

/// `DenseMapInfo<StringRef>::getHashValue`: the low 32 bits of
/// `hash_value(StringRef)`.
pub fn string_hash(s: &[u8]) -> u32 {
    let len = s.len();
    let full = if len <= 64 {
        short(s, SEED)
    } else {
        let mut state = State::new(&s[..64], SEED);
        let whole = len & !63;
        let mut at = 64;
        while at < whole {
            state.mix(&s[at..at + 64]);
            at += 64;
        }
        if len & 63 != 0 {
            state.mix(&s[len - 64..]);
        }
        state.finish(len as u64)
    };
    full as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_llvm_on_every_length_class() {
        // (hash, string) as LLVM 22's hash_value(StringRef) gives them
        // (a program built against LLVM 22's headers printed them).
        let long_path = "lib/long/path/".repeat(7) + "m.o";
        let x64 = "x".repeat(64);
        let y200 = "y".repeat(200);
        let cases: [(u32, &str); 13] = [
            (3267742850, ""),
            (1367106040, "a"),
            (1810142900, "ab"),
            (432478783, "abc"),
            (885588540, "abcd"),
            (712466508, "main.o"),
            (1812328394, "hello.c.o"),
            (3244194115, "0123456789abcdef"),
            (3001957631, "0123456789abcdefg"),
            (3226549248, "objects/git-779137d2c17bac81/builtin_add.c.o"),
            (2060726851, &x64),
            (565634629, &long_path),
            (4148843802, &y200),
        ];
        for (expected, s) in cases {
            assert_eq!(string_hash(s.as_bytes()), expected, "{s:?}");
        }
    }
}
