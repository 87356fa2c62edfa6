//! faxprep raster stage (being built).
