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
//! The map holds the script's headers, put in in the order of Blink's
//! `FetchHeaderList` (sorted by lowercase name, not the script's order),
//! and then the browser's `User-Agent`. The table grows after an insertion
//! that brings it to half load, re-inserting the old entries in their
//! iteration order.
//!
//! An earlier model, fitted to the script headers the runner recorded,
//! needed a special rule (`Content-Type` removed and inserted again, its
//! tombstone counting towards the load). Once the runner's full wire logs
//! showed `User-Agent` moving among the script's headers, the plain table
//! with `User-Agent` inserted last explained every order without it: all
//! 284 single-request orders of the logged corpus files, and the orders the
//! random holdout sets recorded.

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
    // Names up to 64 bytes fold into a buffer on the stack.
    let mut stack = [0u8; 128];
    let mut heap = Vec::new();
    let folded: &mut [u8] = if name.len() <= 64 {
        &mut stack[..name.len() * 2]
    } else {
        heap.resize(name.len() * 2, 0);
        &mut heap
    };
    for (i, b) in name.bytes().enumerate() {
        // Latin-1 case folding: ASCII A-Z and À-Þ (but ×) to lowercase.
        folded[2 * i] = if b.is_ascii_uppercase() || ((0xC0..=0xDE).contains(&b) && b != 0xD7) {
            b + 0x20
        } else {
            b
        };
    }
    let h = (rapidhash(folded, SEED) & 0x00FF_FFFF) as u32;
    if h == 0 { 0x0080_0000 } else { h }
}

/// The hash of `user-agent`, the one name every request's map holds.
fn user_agent_hash() -> u32 {
    static HASH: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *HASH.get_or_init(|| name_hash("user-agent"))
}

/// The iteration order of Blink's header map holding `names` (the
/// script's headers, distinct case-insensitively) and, when `user_agent`,
/// the browser's `User-Agent`: indices into `names`, `names.len()` standing
/// for `User-Agent`.
#[cfg(test)]
pub(crate) fn order(names: &[&str], user_agent: bool) -> Vec<usize> {
    let mut out = Vec::new();
    visit_order(names, user_agent, |i| out.push(i));
    out
}

/// One slot of the table: the entry's index and hash, or `EMPTY`.
type Slot = (u32, u32);
const EMPTY: Slot = (u32::MAX, 0);
/// Entries whose table is built on the stack (a table of at most 64
/// slots: WTF's grows at half load). More go to the heap.
const STACK_ENTRIES: usize = 31;

/// [`order`], each index handed to `visit` in iteration order. Requests
/// nearly always have fewer than 32 names: their sort, their table and the
/// copy a growth makes then live on the stack; more take the same code
/// over heap buffers.
pub(crate) fn visit_order(names: &[&str], user_agent: bool, visit: impl FnMut(usize)) {
    let entries = names.len() + usize::from(user_agent);
    let (mut stack_sorted, mut stack_table, mut stack_old);
    let (mut heap_sorted, mut heap_table, mut heap_old);
    let (sorted, table, old): (&mut [u32], &mut [Slot], &mut [Slot]) = if entries <= STACK_ENTRIES {
        stack_sorted = [0u32; STACK_ENTRIES];
        stack_table = [EMPTY; 64];
        stack_old = [EMPTY; 64];
        (&mut stack_sorted, &mut stack_table, &mut stack_old)
    } else {
        // The final table has more than twice as many slots as entries.
        let size = (2 * entries + 1).next_power_of_two().max(8);
        heap_sorted = vec![0u32; names.len()];
        heap_table = vec![EMPTY; size];
        heap_old = vec![EMPTY; size];
        (&mut heap_sorted, &mut heap_table, &mut heap_old)
    };
    let len = fill(names, user_agent, sorted, table, old);
    table[..len]
        .iter()
        .filter(|s| **s != EMPTY)
        .map(|s| s.0 as usize)
        .for_each(visit);
}

/// Inserts the names, sorted as Blink's `FetchHeaderList` keeps them (by
/// lowercase name), then `User-Agent`, into a table of 8 slots at the start
/// of `table`, growing it at half load as WTF does (the old entries, in
/// iteration order, copied to `old` and inserted again). `sorted`, `table`
/// and `old` are scratch space, large enough; returns the table's size.
fn fill(
    names: &[&str],
    user_agent: bool,
    sorted: &mut [u32],
    table: &mut [Slot],
    old: &mut [Slot],
) -> usize {
    let sorted = &mut sorted[..names.len()];
    for (i, s) in (0u32..).zip(sorted.iter_mut()) {
        *s = i;
    }
    sorted.sort_unstable_by(|&a, &b| {
        names[a as usize]
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(names[b as usize].bytes().map(|c| c.to_ascii_lowercase()))
    });
    let ua = user_agent.then_some(names.len() as u32);
    let mut size = 8;
    table[..size].fill(EMPTY);
    for (count, index) in (1..).zip(sorted.iter().copied().chain(ua)) {
        let hash = match names.get(index as usize) {
            Some(name) => name_hash(name),
            None => user_agent_hash(),
        };
        insert(&mut table[..size], (index, hash));
        // WTF `HashTable::ShouldExpand`: at half load, after the insertion.
        if count * 2 >= size {
            let mut held = 0;
            for &slot in table[..size].iter().filter(|s| **s != EMPTY) {
                old[held] = slot;
                held += 1;
            }
            size *= 2;
            table[..size].fill(EMPTY);
            for &slot in &old[..held] {
                insert(&mut table[..size], slot);
            }
        }
    }
    size
}

fn insert(table: &mut [Slot], slot_value: Slot) {
    let mask = table.len() - 1;
    let mut slot = slot_value.1 as usize & mask;
    let mut step = 0;
    while table[slot] != EMPTY {
        step += 1;
        slot = (slot + step) & mask;
    }
    table[slot] = slot_value;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ordered<'a>(names: &[&'a str]) -> Vec<&'a str> {
        order(names, true)
            .into_iter()
            .map(|i| names.get(i).copied().unwrap_or("User-Agent"))
            .collect()
    }

    #[test]
    fn matches_orders_seen_in_chromium_156() {
        // Full wire logs of the conformance corpus.
        assert_eq!(
            ordered(&["X-One", "X-Two", "X-Three", "Content-Type"]),
            ["User-Agent", "X-One", "Content-Type", "X-Three", "X-Two"]
        );
        assert_eq!(
            ordered(&["X-B", "Authorization", "x-a"]),
            ["Authorization", "User-Agent", "x-a", "X-B"]
        );
        assert_eq!(
            ordered(&["Content-Type", "X-Requested-With"]),
            ["User-Agent", "Content-Type", "X-Requested-With"]
        );
        assert_eq!(
            ordered(&[
                "Accept",
                "Accept-Language",
                "Content-Language",
                "Content-Type"
            ]),
            [
                "Accept-Language",
                "Accept",
                "Content-Language",
                "Content-Type",
                "User-Agent"
            ]
        );
        assert_eq!(
            ordered(&["X-Zeta", "Content-Type", "x-alpha", "X-Middle", "Accept"]),
            [
                "X-Zeta",
                "x-alpha",
                "X-Middle",
                "User-Agent",
                "Accept",
                "Content-Type"
            ]
        );
        assert_eq!(
            ordered(&["Accept-Language"]),
            ["Accept-Language", "User-Agent"]
        );
    }

    #[test]
    fn every_name_comes_out_once() {
        let names: Vec<String> = (0..100).map(|i| format!("X-{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut o = order(&refs, true);
        o.sort_unstable();
        assert_eq!(o, (0..=100).collect::<Vec<_>>());
    }

    /// The table as first written, one heap vector per step: the stack
    /// tables must give the same order at every size.
    fn reference_order(names: &[&str], user_agent: bool) -> Vec<usize> {
        let mut sorted: Vec<usize> = (0..names.len()).collect();
        sorted.sort_unstable_by(|&a, &b| {
            names[a]
                .bytes()
                .map(|c| c.to_ascii_lowercase())
                .cmp(names[b].bytes().map(|c| c.to_ascii_lowercase()))
        });
        let ua = user_agent.then_some(names.len());
        let mut table: Vec<Option<(usize, u32)>> = vec![None; 8];
        let put = |table: &mut Vec<Option<(usize, u32)>>, index: usize, hash: u32| {
            let mask = table.len() - 1;
            let (mut slot, mut step) = (hash as usize & mask, 0);
            while table[slot].is_some() {
                step += 1;
                slot = (slot + step) & mask;
            }
            table[slot] = Some((index, hash));
        };
        for (count, index) in (1..).zip(sorted.into_iter().chain(ua)) {
            let hash = names
                .get(index)
                .map_or_else(user_agent_hash, |n| name_hash(n));
            put(&mut table, index, hash);
            if count * 2 >= table.len() {
                let old = std::mem::take(&mut table);
                table = vec![None; old.len() * 2];
                for (i, h) in old.into_iter().flatten() {
                    put(&mut table, i, h);
                }
            }
        }
        table.into_iter().flatten().map(|(i, _)| i).collect()
    }

    #[test]
    fn stack_and_heap_tables_agree_with_the_reference_at_every_size() {
        let names: Vec<String> = (0..80)
            .map(|i| format!("X-Name-{}", i * 7919 % 101))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        for n in 0..refs.len() {
            for ua in [false, true] {
                assert_eq!(
                    order(&refs[..n], ua),
                    reference_order(&refs[..n], ua),
                    "{n} names, user agent {ua}"
                );
            }
        }
    }
}
