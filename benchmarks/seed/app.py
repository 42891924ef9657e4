"""The seed design, reproduced from the article in shared/seed/order-microservice-article.txt.

A Flask app whose POST /API/orders writes each order to SQLite through the article's Database class: one new
connection, one INSERT and one commit per request, in SQLite's default journal mode (rollback journal,
synchronous=FULL). Served by waitress (the article does not name a server; waitress is a production WSGI server
where Flask's development server is not). This file is a baseline for benchmarks/run.sh, not part of the service.

Deviations from the article, all needed to run it as a benchmark and none in the request path:
- ``init`` is ``__init__`` (the article's formatting lost the underscores), and the file path comes from the
  SEED_DB environment variable (default 'test.db', the article's hard-coded name) so each run gets a fresh file;
- the table is created at start (the article's create_table_orders, called once);
- host, port and waitress threads come from SEED_HOST, SEED_PORT and SEED_THREADS (waitress's default is 4).

Run: SEED_DB=/tmp/seed.db SEED_PORT=5000 /usr/bin/python3 benchmarks/seed/app.py
"""
import os
import sqlite3

from flask import Flask, request
from waitress import serve


class Database:
    # this is a DB connector
    # we will use SQLite in this example for simplicity
    def __init__(self):
        # filename and path to the database are hardcoded for simplicity (here: overridable for benchmarks)
        self.connect_to = os.environ.get("SEED_DB", "test.db")

    def create_table_orders(self):
        # a func to create our database
        conn = sqlite3.connect(self.connect_to)
        conn.execute('''CREATE TABLE if not exists Orders
            (timestamp TEXT NOT NULL,
            username TEXT NOT NULL,
            market TEXT NOT NULL,
            side TEXT NOT NULL,
            size FLOAT NOT NULL,
            price FLOAT NOT NULL
            );''')
        conn.close()

    def add_data_orders(self, timestamp, username, market, side, size, price):
        # a func to save orders data
        conn = sqlite3.connect(self.connect_to)
        conn.execute("INSERT INTO Orders (timestamp, username, market, side, size, price) VALUES (?, ?, ?, ?, ?, ?)",
                     (timestamp, username, market, side, size, price))
        conn.commit()
        conn.close()


app = Flask(__name__)
DB = Database()


@app.post("/API/orders")
def save_orders():
    if request.is_json:
        response = request.get_json()
        DB.add_data_orders(response['timestamp'], response['username'], response['market'], response['side'],
                           response['size'], response['price'])
        return response, 201
    return {"error": "Request must be JSON"}, 415


if __name__ == "__main__":
    DB.create_table_orders()
    serve(app,
          host=os.environ.get("SEED_HOST", "127.0.0.1"),
          port=int(os.environ.get("SEED_PORT", "5000")),
          threads=int(os.environ.get("SEED_THREADS", "4")))
