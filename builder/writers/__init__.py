"""Writers: the .apkg packages and the build report."""
