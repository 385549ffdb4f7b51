from commonground.cli.main import app

app(prog_name="commonground")
