//! The order in which Chromium puts a script's request headers on the wire.
//!
//! Observed in Chromium 156: Blink hands the headers to the network stack
//! in the iteration order of its `HTTPHeaderMap`, an open-addressing hash
//! table keyed by the case-folded header name. So the order is neither the
//! script's nor sorted: `X-One, X-Two, X-Three` goes out as `X-One,
//! X-Three, X-Two`. This module reproduces that table: the name folded to
//! lowercase Latin-1 in UTF-16LE, hashed with rapidhash (WTF's
//! `StringHasher`) and masked to 24 bits, buckets starting at 8 and
//! doubling at half load, quadratic probing.
//!
//! A request with a `Content-Type` behaves as if Blink removed it and added
//! it again: the `Content-Type` is inserted last, and the removed entry's
//! tombstone counts towards the load (so the table grows one insertion
//! earlier). The corpus only showed this with a body; random holdout cases
//! (an `OPTIONS` and a `POST` without a body) showed it does not depend on
//! the body. The names go into the table in the
//! order of Blink's `FetchHeaderList` (sorted by lowercase name), not in
//! the script's order. This reproduces every order seen in the conformance
//! runs (the corpus and the random holdout sets).

/// The rapidhash default secret and WTF's seed.
const SECRET: [u64; 3] = [
    0x2d35_8dcc_aa6c_78a5,
    0x8bb8_4b93_962e_acc9,
    0x4b33_a62e_d433_d4a3,
];
const SEED: u64 = 0xbdd8_9aa9_8270_4029;

fn mum(a: u64, b: u64) -> (u64, u64) {
    let r = u128::from(a) * u128::from(b);
    (r as u64, (r >> 64) as u64)
}

fn mix(a: u64, b: u64) -> u64 {
    let (lo, hi) = mum(a, b);
    lo ^ hi
}

fn r64(d: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(d[at..at + 8].try_into().unwrap_or([0; 8]))
}

fn r32(d: &[u8], at: usize) -> u64 {
    u64::from(u32::from_le_bytes(
        d[at..at + 4].try_into().unwrap_or([0; 4]),
    ))
}

/// rapidhash (v1) of `data` with `seed`.
fn rapidhash(data: &[u8], mut seed: u64) -> u64 {
    let len = data.len();
    seed ^= mix(seed ^ SECRET[0], SECRET[1]) ^ len as u64;
    let (mut a, mut b);
    if len <= 16 {
        if len >= 4 {
            let delta = (len & 24) >> (len >> 3);
            a = (r32(data, 0) << 32) | r32(data, len - 4);
            b = (r32(data, delta) << 32) | r32(data, len - 4 - delta);
        } else if len > 0 {
            a = (u64::from(data[0]) << 56)
                | (u64::from(data[len >> 1]) << 32)
                | u64::from(data[len - 1]);
            b = 0;
        } else {
            a = 0;
            b = 0;
        }
    } else {
        let mut i = len;
        let mut p = 0;
        if i > 48 {
            let (mut s1, mut s2) = (seed, seed);
            while i >= 48 {
                seed = mix(r64(data, p) ^ SECRET[0], r64(data, p + 8) ^ seed);
                s1 = mix(r64(data, p + 16) ^ SECRET[1], r64(data, p + 24) ^ s1);
                s2 = mix(r64(data, p + 32) ^ SECRET[2], r64(data, p + 40) ^ s2);
                p += 48;
                i -= 48;
            }
            seed ^= s1 ^ s2;
        }
        if i > 16 {
            seed = mix(
                r64(data, p) ^ SECRET[2],
                r64(data, p + 8) ^ seed ^ SECRET[1],
            );
            if i > 32 {
                seed = mix(r64(data, p + 16) ^ SECRET[2], r64(data, p + 24) ^ seed);
            }
        }
        a = r64(data, len - 16);
        b = r64(data, len - 8);
    }
    a ^= SECRET[1];
    b ^= seed;
    let (lo, hi) = mum(a, b);
    mix(lo ^ SECRET[0] ^ len as u64, hi ^ SECRET[1])
}

/// WTF `CaseFoldingHash` of a header name, masked to 24 bits.
fn name_hash(name: &str) -> u32 {
    let mut folded = Vec::with_capacity(name.len() * 2);
    for b in name.bytes() {
        // Latin-1 case folding: ASCII A-Z and À-Þ (but ×) to lowercase.
        let f = if b.is_ascii_uppercase() || ((0xC0..=0xDE).contains(&b) && b != 0xD7) {
            b + 0x20
        } else {
            b
        };
        folded.push(f);
        folded.push(0);
    }
    let h = (rapidhash(&folded, SEED) & 0x00FF_FFFF) as u32;
    if h == 0 { 0x0080_0000 } else { h }
}

/// `names` (distinct case-insensitively) in `HTTPHeaderMap` iteration
/// order, as indices into `names` (see the module documentation).
pub(crate) fn order(names: &[&str]) -> Vec<usize> {
    let mut table: Vec<Option<(usize, u32)>> = vec![None; 8];
    let has_ct = names.iter().any(|n| n.eq_ignore_ascii_case("content-type"));
    let is_ct = |n: &&str| n.eq_ignore_ascii_case("content-type");
    // Blink's `FetchHeaderList` is a multimap ordered by the case-folded
    // name, so the map is filled in that order, not the script's (observed
    // in Chromium 156 on random holdout cases: `x-custom, Accept` goes out
    // as `Accept, x-custom` although both hash to the same bucket of 8).
    let mut sorted: Vec<(usize, &&str)> = names.iter().enumerate().collect();
    sorted.sort_by_cached_key(|(_, n)| n.to_ascii_lowercase());
    let inserted = sorted
        .iter()
        .copied()
        .filter(|(_, n)| !is_ct(n))
        .chain(sorted.iter().copied().filter(|(_, n)| is_ct(n)));
    // `size` counts the tombstone of the first `Content-Type`.
    for (size, (index, name)) in (usize::from(has_ct)..).zip(inserted) {
        if (size + 1) * 2 >= table.len() {
            let old = std::mem::replace(&mut table, vec![None; 0]);
            table = vec![None; old.len() * 2];
            for (i, h) in old.into_iter().flatten() {
                insert(&mut table, i, h);
            }
        }
        insert(&mut table, index, name_hash(name));
    }
    table.into_iter().flatten().map(|(i, _)| i).collect()
}

fn insert(table: &mut [Option<(usize, u32)>], index: usize, hash: u32) {
    let mask = table.len() - 1;
    let mut slot = hash as usize & mask;
    let mut step = 0;
    while table[slot].is_some() {
        step += 1;
        slot = (slot + step) & mask;
    }
    table[slot] = Some((index, hash));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ordered<'a>(names: &[&'a str]) -> Vec<&'a str> {
        order(names).into_iter().map(|i| names[i]).collect()
    }

    fn visible(names: Vec<&str>) -> Vec<&str> {
        names.into_iter().filter(|n| *n != "Content-Type").collect()
    }

    #[test]
    fn matches_orders_seen_in_chromium_156() {
        assert_eq!(
            visible(ordered(&["X-One", "X-Two", "X-Three", "Content-Type"])),
            ["X-One", "X-Three", "X-Two"]
        );
        assert_eq!(
            ordered(&["X-B", "Authorization", "x-a"]),
            ["Authorization", "x-a", "X-B"]
        );
        assert_eq!(
            visible(ordered(&["Accept", "X-Custom", "Content-Type"])),
            ["X-Custom", "Accept"]
        );
        assert_eq!(
            visible(ordered(&["X-Print", "Y-Print", "Content-Type"])),
            ["X-Print", "Y-Print"]
        );
        assert_eq!(
            ordered(&["Content-Type", "Content-Language", "Accept"]),
            ["Accept", "Content-Language", "Content-Type"]
        );
        assert_eq!(
            ordered(&["X-Zeta", "Content-Type", "x-alpha", "X-Middle", "Accept"]),
            ["X-Zeta", "x-alpha", "X-Middle", "Accept", "Content-Type"]
        );
    }

    #[test]
    fn matches_orders_seen_in_chromium_156_on_random_holdout_cases() {
        // Both names hash to bucket 1 of 8: the sorted list puts `Accept` in first.
        assert_eq!(ordered(&["x-custom", "Accept"]), ["Accept", "x-custom"]);
        // No body: `Content-Type` is still inserted last.
        assert_eq!(
            ordered(&["X-Custom", "Content-Type", "Accept"]),
            ["X-Custom", "Accept", "Content-Type"]
        );
        assert_eq!(
            ordered(&[
                "Content-Type",
                "Content-Language",
                "Accept-Language",
                "Range"
            ]),
            [
                "Accept-Language",
                "Range",
                "Content-Language",
                "Content-Type"
            ]
        );
    }
}
