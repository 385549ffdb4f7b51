"""The background of one server process: event hub, live streams, delivery loop, notice scheduler."""
