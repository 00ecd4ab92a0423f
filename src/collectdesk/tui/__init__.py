"""The collector's desk: a Textual application over the services layer."""
