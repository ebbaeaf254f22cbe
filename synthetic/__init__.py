"""Inputs the project makes for itself: letters rendered as scans (`scans`)."""
