//! A bounds check of a serialized Winterfell 0.13 proof, run before Winterfell decodes it.
//!
//! Winterfell's decoder trusts length prefixes: `Vec<u8>` fields reserve whatever length the
//! bytes claim (a forged length aborts the process, or traps in a browser), and its position
//! arithmetic can wrap on 32-bit targets, and it panics on a query count of zero. This walks the
//! layout — header, query count (which must be between 1 and the profile's),
//! commitments, trace and constraint queries, out-of-domain frame, FRI layers, remainder,
//! partitions, nonce — and checks that every length fits in the bytes that remain, that each
//! out-of-domain part holds the two-row frame Winterfell asserts, and that nothing follows.
//! Only then may Winterfell parse the proof.

use winter_utils::{ByteReader, ByteWriter, SliceReader};

/// Why a proof's layout is unacceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutError(pub String);

/// Checks the proof layout after a header of `header_len` bytes, for a trace with
/// `trace_segments` segments and at most `max_queries` queries.
pub fn check(
    bytes: &[u8],
    header_len: usize,
    trace_segments: usize,
    max_queries: usize,
) -> Result<(), LayoutError> {
    let mut cursor = Cursor {
        bytes,
        position: header_len.min(bytes.len()),
    };
    // Winterfell asserts (panics) on zero queries when it parses the openings.
    let queries = cursor.u8("query count")?;
    if queries == 0 || queries > max_queries {
        return Err(LayoutError(format!(
            "query count {queries}: expected 1 to {max_queries}"
        )));
    }
    let commitments = cursor.u16("commitments")?;
    cursor.skip(commitments, "commitments")?;
    for segment in 0..trace_segments + 1 {
        for part in ["values", "paths"] {
            let length = cursor.varint(part)?;
            cursor.skip(length, &format!("queries {segment} {part}"))?;
        }
    }
    for part in ["out-of-domain trace", "out-of-domain quotients"] {
        let length = cursor.u16(part)?;
        // Winterfell asserts (panics) unless each part starts with the frame size 2.
        if length == 0 || cursor.bytes.get(cursor.position) != Some(&2) {
            return Err(LayoutError(format!("{part}: not a two-row frame")));
        }
        cursor.skip(length, part)?;
    }
    let layers = cursor.u8("FRI layer count")?;
    for layer in 0..layers {
        for part in ["values", "paths"] {
            let length = cursor.u32(part)?;
            cursor.skip(length, &format!("FRI layer {layer} {part}"))?;
        }
    }
    let remainder = cursor.u16("FRI remainder")?;
    cursor.skip(remainder, "FRI remainder")?;
    // log2 of the partition count, which Winterfell shifts by and divides by; zkinfer's
    // profiles commit in one partition.
    if cursor.u8("partitions")? != 0 {
        return Err(LayoutError("FRI partitions: expected one".into()));
    }
    cursor.skip(8, "nonce")?;
    if cursor.position != bytes.len() {
        return Err(LayoutError(format!(
            "{} bytes after the proof",
            bytes.len() - cursor.position
        )));
    }
    Ok(())
}

struct Cursor<'b> {
    bytes: &'b [u8],
    position: usize,
}

impl Cursor<'_> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    fn skip(&mut self, length: usize, what: &str) -> Result<(), LayoutError> {
        if length > self.remaining() {
            return Err(LayoutError(format!(
                "{what}: {length} bytes claimed, {} left",
                self.remaining()
            )));
        }
        self.position += length;
        Ok(())
    }

    fn fixed<const N: usize>(&mut self, what: &str) -> Result<[u8; N], LayoutError> {
        let start = self.position;
        self.skip(N, what)?;
        Ok(self.bytes[start..start + N]
            .try_into()
            .expect("N bytes were checked"))
    }

    fn u8(&mut self, what: &str) -> Result<usize, LayoutError> {
        Ok(self.fixed::<1>(what)?[0] as usize)
    }

    fn u16(&mut self, what: &str) -> Result<usize, LayoutError> {
        Ok(u16::from_le_bytes(self.fixed(what)?) as usize)
    }

    fn u32(&mut self, what: &str) -> Result<usize, LayoutError> {
        Ok(u32::from_le_bytes(self.fixed(what)?) as usize)
    }

    /// Winterfell's variable-length `usize`, decoded with its own reader; the encoding must be
    /// canonical so that this walk and Winterfell's parse stay in step.
    fn varint(&mut self, what: &str) -> Result<usize, LayoutError> {
        let rest = &self.bytes[self.position..];
        let value = SliceReader::new(rest)
            .read_usize()
            .map_err(|e| LayoutError(format!("{what}: {e}")))?;
        let mut encoded = Vec::new();
        encoded.write_usize(value);
        if !rest.starts_with(&encoded) {
            return Err(LayoutError(format!("{what}: non-canonical length")));
        }
        self.position += encoded.len();
        Ok(value)
    }
}
