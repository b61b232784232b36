//! The index reader on arbitrary bytes, as a damaged or hostile cache file would be: opening
//! and querying must return results or `Damaged`, never panic or hang.
#![no_main]

use aigc_term::matching::{self, Index};
use aigc_term::store::Backing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(index) = Index::open(Backing::Owned(data.to_vec())) else { return };
    for query in ["gan", "difusion", "stable diff", "扩散", "kuosan", "scdkwl", "stable 扩散", "lmm"] {
        let _ = matching::lookup(&index, query, true);
    }
    let _ = matching::search(&index, "noise 噪声");
    let _ = matching::complete(&index, "d", 10);
    for term in 0..index.len().min(64) {
        let _ = index.record(term);
        let _ = index.keys(term);
        let _ = aigc_term::graph::walk(&index, term, 3);
    }
    let _ = index.tags();
});
