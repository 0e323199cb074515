//! JavaScript stack-trace parsing and error fingerprints.
