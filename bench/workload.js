// The program whose heap the bench snapshots: an order service with `units` orders in flight, built from the shapes
// real Node services leak through (class instances, Maps and Sets, closures over request contexts, duplicated
// strings, pending promises, EventEmitter listeners, arrays, typed arrays, a linked request queue). It writes one
// snapshot with v8.writeHeapSnapshot to argv[3] and prints {"file","seconds"} on stdout.
//   node --max-old-space-size=4096 bench/workload.js <units> <out.heapsnapshot>
import { EventEmitter } from 'node:events';
import v8 from 'node:v8';

const units = Number(process.argv[2]);
const out = process.argv[3];
if (!Number.isInteger(units) || units < 1 || !out) {
  console.error('usage: node bench/workload.js <units> <out.heapsnapshot>');
  process.exit(2);
}

class Customer {
  constructor(id) {
    this.id = id;
    this.name = `customer-${id}`;
    this.email = `c${id}@example.test`;
    this.tier = ['free', 'pro', 'enterprise'][id % 3];
  }
}

class LineItem {
  constructor(sku, quantity, price) {
    this.sku = sku;
    this.quantity = quantity;
    this.price = price;
  }
}

class Order {
  constructor(id, customer, items) {
    this.id = id;
    this.customer = customer;
    this.items = items;
    // the same few status values, each a separate heap string (built at run time): duplicate strings
    this.status = `st_${id % 7}`.toUpperCase();
    // a cons string, as string concatenation of longer parts makes
    this.description = `Order number ${id} placed by ${customer.name} through the public storefront`;
    this.tags = new Set([`region-${id % 11}`, 'priority'.slice(0, 4 + (id % 4))]);
    this.history = [id, Date.now(), 'created'];
    this.samples = null;
    this.pending = null;
    this.onUpdate = null;
  }
}

// one link of the request queue: a linked list that makes a long dominator chain
class RequestLink {
  constructor(seq, order) {
    this.seq = seq;
    this.order = order;
    this.next = null;
  }
}

const customers = [];
const ordersById = new Map();
const emitters = Array.from({ length: 64 }, () => new EventEmitter().setMaxListeners(0));
const queue = { head: null, tail: null, length: 0 };
const priceTable = new Float64Array(4096).map((_, i) => i * 0.25);
const pendingSettlements = [];

function makeHandler(order, requestContext) {
  // a closure whose context holds the request: the classic listener leak
  return function onOrderUpdated(event) {
    return `${requestContext.requestId}:${order.id}:${event}`;
  };
}

for (let i = 0; i < units; i++) {
  if (i % 20 === 0) customers.push(new Customer(customers.length));
  const customer = customers[customers.length - 1];
  const items = [];
  for (let k = 0; k < 3; k++) items.push(new LineItem(`SKU-${(i * 3 + k) % 500}`, 1 + k, priceTable[(i + k) % 4096]));
  const order = new Order(i, customer, items);
  const trace = (i * 2654435761).toString(16).padStart(16, '0');
  // join() builds flat strings: unique, longer values as services keep per request (URLs, headers, bodies)
  const requestContext = {
    requestId: `req-${i}`,
    url: [
      '/api/v2/customers/',
      customer.id,
      '/orders/',
      i,
      '?include=items,history,tags&currency=EUR&trace=',
      trace,
    ].join(''),
    headers: {
      'user-agent': 'bench/1.0',
      accept: 'application/json',
      traceparent: ['00-', trace, trace, '-', trace, '-01'].join(''),
      cookie: ['sid=', trace, trace.split('').reverse().join(''), '; csrf=', trace, trace, trace, '; theme=dark'].join(
        '',
      ),
    },
    body: [
      '{"orderId":',
      i,
      ',"customer":',
      customer.id,
      ',"items":[',
      i % 500,
      '],"note":"after ',
      i % 24,
      'h"}',
    ].join(''),
  };
  order.onUpdate = makeHandler(order, requestContext);
  emitters[i % emitters.length].on('order-updated', order.onUpdate);
  ordersById.set(`order-${i}`, order);
  if (i % 4 === 0) {
    // a promise that never settles, with a reaction waiting on it
    order.pending = new Promise((resolve) => {
      requestContext.settle = resolve;
    });
    pendingSettlements.push(order.pending.then(() => order.id));
  }
  if (i % 8 === 0) order.samples = new Float64Array(16).fill(i);
  if (i % 2 === 0) {
    const link = new RequestLink(queue.length++, order);
    if (queue.tail) queue.tail.next = link;
    else queue.head = link;
    queue.tail = link;
  }
}
// a couple of timers, as every service has
const keepAlive = setInterval(() => ordersById.size, 60_000);
const flushTimer = setTimeout(() => queue.length, 3_600_000);

const t0 = performance.now();
v8.writeHeapSnapshot(out);
console.log(JSON.stringify({ file: out, seconds: +((performance.now() - t0) / 1000).toFixed(1) }));
clearInterval(keepAlive);
clearTimeout(flushTimer);
