//! Prepared faxes kept in memory so that `send_fax` sends the very bytes
//! `prepare_fax` previewed: a bounded cache, oldest dropped first.

use faxprep::FormFields;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Most faxes kept.
pub const MAX_HANDLES: usize = 16;
/// Most upload bytes kept in all.
pub const MAX_BYTES: usize = 64 << 20;

/// What was previewed, to be sent as it is.
#[derive(Debug)]
pub struct Prepared {
    /// The upload, byte for byte.
    pub upload: Vec<u8>,
    /// Its MIME type (by content).
    pub content_type: &'static str,
    /// The file name sent with it.
    pub filename: String,
    /// The form fields as the agent gave them.
    pub fields: FormFields,
    /// Fields filled with preview placeholders (such a fax is not sent).
    pub placeholders: Vec<&'static str>,
    /// Pages, cover included.
    pub total_pages: u32,
    /// Credits.
    pub credits: u32,
    /// The recipient in E.164.
    pub recipient_number: String,
}

/// The faxes kept, oldest first, under their handles.
type Kept = VecDeque<(String, Arc<Prepared>)>;

/// The cache.
#[derive(Debug, Default)]
pub struct Handles {
    /// Handles issued so far, and the faxes kept.
    inner: Mutex<(u64, Kept)>,
}

impl Handles {
    /// Keep `fax` and return its handle, dropping the oldest over the
    /// bounds.
    pub fn insert(&self, fax: Prepared) -> String {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (counter, list) = &mut *guard;
        *counter += 1;
        let handle = format!("fax-{}-{:08x}", *counter, salt(*counter));
        list.push_back((handle.clone(), Arc::new(fax)));
        while list.len() > MAX_HANDLES
            || (list.len() > 1
                && list.iter().map(|(_, f)| f.upload.len()).sum::<usize>() > MAX_BYTES)
        {
            list.pop_front();
        }
        handle
    }

    /// The fax kept under `handle`.
    pub fn get(&self, handle: &str) -> Option<Arc<Prepared>> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .1
            .iter()
            .find(|(h, _)| h == handle)
            .map(|(_, f)| Arc::clone(f))
    }
}

/// A per-process random part, so a handle from another run is not taken
/// for one of this run's.
fn salt(counter: u64) -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(counter);
    h.write_u32(std::process::id());
    h.finish() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fax(bytes: usize) -> Prepared {
        Prepared {
            upload: vec![0; bytes],
            content_type: "application/pdf",
            filename: "a.pdf".into(),
            fields: FormFields::default(),
            placeholders: Vec::new(),
            total_pages: 1,
            credits: 1,
            recipient_number: "+12125551234".into(),
        }
    }

    #[test]
    fn oldest_dropped_over_the_bounds() {
        let h = Handles::default();
        let first = h.insert(fax(1));
        let rest: Vec<String> = (0..MAX_HANDLES).map(|_| h.insert(fax(1))).collect();
        assert!(h.get(&first).is_none(), "the 17th fax drops the first");
        assert!(rest.iter().all(|r| h.get(r).is_some()));
        assert_ne!(rest[0], rest[1]);
        // 64 MB in all: a fifth 20 MB upload drops the oldest ones.
        let big: Vec<String> = (0..5).map(|_| h.insert(fax(20 << 20))).collect();
        assert!(h.get(&big[4]).is_some() && h.get(&big[3]).is_some());
        assert!(h.get(&big[1]).is_none() && h.get(&rest[15]).is_none());
        assert!(h.get("fax-1-00000000").is_none());
    }
}
