//! faxprep codec stage (being built).
