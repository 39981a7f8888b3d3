"""A Flask app: templates/ and static/ are found through this module's __file__."""
import os

from flask import Flask, render_template

app = Flask(__name__)


@app.route("/")
def index():
    return render_template("index.html", pid=os.getpid(), root=app.root_path)
