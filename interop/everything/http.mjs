// Starts the reference server's Streamable HTTP transport on a port the OS chooses (PORT=0) and
// says which on stderr ("LISTENING <port>"), so that the Java test needs no port of its own.
import http from "node:http";

const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  this.once("listening", () => console.error(`LISTENING ${this.address().port}`));
  return listen.apply(this, args);
};
process.env.PORT = "0";
await import("./node_modules/@modelcontextprotocol/server-everything/dist/transports/streamableHttp.js");
