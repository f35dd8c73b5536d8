"""Comment sources and publishers for each platform; each library is imported in one file."""
