"""The HTTP shell: one app that mounts the JSON API and the console and runs the process's background."""
