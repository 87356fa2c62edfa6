//! faxprep intake stage (being built).
