//! faxprep cover stage (being built).
